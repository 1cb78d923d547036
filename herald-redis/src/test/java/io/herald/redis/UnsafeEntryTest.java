package io.herald.redis;

import static io.herald.redis.RedisTransportTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.update.Update;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream entry that breaks {@link Update}'s rules (written into a real redis-server by
 * something other than Herald) is skipped with a warning naming it: it kills neither the reader
 * nor a replay, and the entries around it are delivered and replayed.
 */
class UnsafeEntryTest {
  @TempDir Path dir;
  RedisServer redis;
  RedisTransport transport;
  RedisClient raw;
  final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
        warnings.add(r);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  /** Held here: JUL keeps loggers weakly, and a collected one would lose the handler. */
  final List<Logger> loggers = List.of(
      Logger.getLogger(StreamReader.class.getName()), Logger.getLogger(RedisHistory.class.getName()));

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start(dir);
    raw = RedisClient.create(redis.uri());
    loggers.forEach(l -> l.addHandler(capture));
  }

  @AfterEach
  void stop() throws Exception {
    loggers.forEach(l -> l.removeHandler(capture));
    if (transport != null) {
      transport.close();
    }
    raw.shutdown();
    redis.close();
  }

  @Test
  void anUnsafeEntryIsSkippedAndTheOnesAroundItAreDeliveredAndReplayed() throws Exception {
    RedisOptions options = RedisOptions.of(redis.uri());
    RedisTransportTest.Recorder delivered = new RedisTransportTest.Recorder();
    transport = RedisTransport.connect(options);
    transport.dispatchTo(delivered);
    Update first = transport.publish(update("first", "kind")).get(10, TimeUnit.SECONDS);
    try (StatefulRedisConnection<String, byte[]> c = raw.connect(RedisTransport.CODEC)) {
      // An ID with a line break: as an id: line it would let its writer append fields.
      append(c, options, 2, "forged\ndata: injected", UpdateCodec.encode(update("x", "kind")));
      // A type with a CR, in an otherwise well-formed entry.
      byte[] payload = UpdateCodec.encode(update("y", "kind?event: injected"));
      replaceFirst(payload, (byte) '?', (byte) '\r');
      append(c, options, 3, "unsafe-type", payload);
    }
    Update last = transport.publish(update("last", "kind")).get(10, TimeUnit.SECONDS);
    assertThat(last.sequence()).isEqualTo(4);

    await(() -> delivered.updates.size() == 2, "the two safe updates delivered");
    assertThat(delivered.updates).extracting(Update::id).containsExactly("first", "last");
    assertThat(delivered.resets).hasValue(0);
    await(() -> warnings.size() >= 2, "a warning for each unsafe entry");
    assertThat(warnings).extracting(r -> new SimpleFormatter().formatMessage(r))
        .anySatisfy(m -> assertThat(m).startsWith("skipping stream entry 2-0").contains("\"id\" must not contain"))
        .anySatisfy(m -> assertThat(m).startsWith("skipping stream entry 3-0").contains("\"type\" must not contain"));

    // A replay reads past them too, and a page is filled from the entries after them.
    assertThat(transport.history().read(0, 4, 10)).containsExactly(first, last);
    assertThat(transport.history().read(1, 4, 1)).containsExactly(last);
    assertThat(transport.history().find("unsafe-type")).isNull();
  }

  private static Update update(String id, String type) {
    return new Update(id, List.of("https://example.com/t"), "data of " + id, type, -1, false, 0);
  }

  private static void append(StatefulRedisConnection<String, byte[]> c, RedisOptions options,
      long sequence, String id, byte[] payload) {
    Map<String, byte[]> fields = new LinkedHashMap<>(); // in the order append.lua writes them
    fields.put("i", id.getBytes(StandardCharsets.UTF_8));
    fields.put("u", payload);
    c.sync().xadd(options.streamKey(), new XAddArgs().id(sequence + "-0"), fields);
    c.sync().hset(options.indexKey(), id, Long.toString(sequence).getBytes(StandardCharsets.US_ASCII));
  }

  private static void replaceFirst(byte[] bytes, byte from, byte to) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == from) {
        bytes[i] = to;
        return;
      }
    }
    throw new AssertionError("no byte to replace");
  }
}
