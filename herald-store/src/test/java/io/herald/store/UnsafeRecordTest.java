package io.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.transport.HistoryTransport;
import io.herald.core.update.Update;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * A record that breaks {@link Update}'s rules (written into a real RocksDB store by something
 * other than Herald) is skipped with a warning naming it: the store still opens, a replay reads
 * past it, and the records around it are replayed.
 */
class UnsafeRecordTest {
  @TempDir Path dir;
  final List<String> warnings = new CopyOnWriteArrayList<>();
  /** Held here: JUL keeps loggers weakly, and a collected one would lose the handler. */
  final Logger logger = Logger.getLogger(DurableHistory.class.getName());
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
        warnings.add(new SimpleFormatter().formatMessage(r));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void capture() {
    logger.addHandler(capture);
  }

  @AfterEach
  void release() {
    logger.removeHandler(capture);
  }

  @Test
  void anUnsafeRecordIsSkippedAndTheOnesAroundItAreReplayed() throws Exception {
    Path data = dir.resolve("data");
    List<Update> stored = new ArrayList<>();
    for (long s = 1; s <= 5; s++) {
      // Records 2 and 5 (the newest, which opening reads) get a '?' in their type, made unsafe below.
      stored.add(new Update("id-" + s, List.of("https://example.com/books/1"), "data of id-" + s,
          s == 2 || s == 5 ? "kind?x" : "kind", -1, false, s));
    }
    try (DurableHistory h = DurableHistory.open(data, StoreOptions.defaults())) {
      h.append(stored);
    }
    try (RocksEngine engine = RocksEngine.open(data, StoreOptions.defaults(), false)) {
      corrupt(engine, 2, (byte) '\n');
      corrupt(engine, 5, (byte) '\0');
    }

    try (DurableHistory h = DurableHistory.open(data, StoreOptions.defaults())) {
      List<Update> safe = List.of(stored.get(0), stored.get(2), stored.get(3));
      assertThat(h.lastSequence()).isEqualTo(5);
      assertThat(TestUpdates.readAll(h)).containsExactlyElementsOf(safe);
      // A page is filled from the records after the skipped one: a short page still means the end.
      assertThat(h.read(1, 5, 1)).containsExactly(stored.get(2));
      assertThat(h.read(4, 5, 1)).isEmpty();
      assertThat(h.find("id-2")).isNull();
      assertThat(h.find("id-3")).isEqualTo(stored.get(2));
      assertThat(warnings)
          .anySatisfy(w -> assertThat(w).startsWith("skipping record 2 in ").contains("\"type\" must not contain"))
          .anySatisfy(w -> assertThat(w).startsWith("skipping record 5 in "));

      // And the store goes on taking publishes after them.
      try (HistoryTransport transport = new HistoryTransport(h)) {
        transport.dispatchTo(u -> {});
        Update next = transport.publish(new Update("id-6", List.of("https://example.com/books/1"),
            "data of id-6", null, -1, false, 0)).get(10, TimeUnit.SECONDS);
        assertThat(next.sequence()).isEqualTo(6);
        assertThat(TestUpdates.readAll(h)).containsExactly(stored.get(0), stored.get(2), stored.get(3), next);
      }
    }
  }

  /** Replaces the '?' in the stored record at {@code sequence} with {@code with}, in place. */
  private static void corrupt(RocksEngine engine, long sequence, byte with) throws Exception {
    byte[] value = engine.db.get(engine.updates, Keys.of(sequence));
    for (int i = 0; i < value.length; i++) {
      if (value[i] == '?') {
        value[i] = with;
        engine.db.put(engine.updates, Keys.of(sequence), value);
        return;
      }
    }
    throw new AssertionError("record " + sequence + " has no '?'");
  }
}
