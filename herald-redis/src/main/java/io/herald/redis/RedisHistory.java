package io.herald.redis;

import io.herald.core.Reasons;
import io.herald.core.history.History;
import io.herald.core.history.HistoryException;
import io.herald.core.history.ReplayStart;
import io.herald.core.update.UnsafeUpdateException;
import io.herald.core.update.Update;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The shared history: the Redis stream itself, read by sequence ranges ({@code XRANGE}) and
 * located by event ID through the index hash that the append script keeps in step with the
 * stream (same run, same trimming). Read-only: {@link RedisTransport} appends.
 */
public final class RedisHistory implements History {
  private static final System.Logger LOG = System.getLogger(RedisHistory.class.getName());
  private final RedisOptions options;
  private final Supplier<StatefulRedisConnection<String, byte[]>> connection;
  private final LongSupplier fallbackLastSequence;

  RedisHistory(
      RedisOptions options,
      Supplier<StatefulRedisConnection<String, byte[]>> connection,
      LongSupplier fallbackLastSequence) {
    this.options = options;
    this.connection = connection;
    this.fallbackLastSequence = fallbackLastSequence;
  }

  @Override
  public void append(List<Update> batch) throws HistoryException {
    throw new HistoryException("the Redis history is appended to by RedisTransport only");
  }

  /** The last sequence handed out in the cluster (this node's position when Redis is down). */
  @Override
  public long lastSequence() {
    StatefulRedisConnection<String, byte[]> c = connection.get();
    if (c != null) {
      try {
        byte[] raw = c.sync().get(options.sequenceKey());
        return raw == null ? 0 : Long.parseLong(new String(raw, StandardCharsets.US_ASCII));
      } catch (RuntimeException unavailable) {
        // fall through
      }
    }
    return fallbackLastSequence.getAsLong();
  }

  @Override
  public ReplayStart locate(String lastEventId) throws HistoryException {
    byte[] seq;
    try {
      seq = conn().sync().hget(options.indexKey(), lastEventId);
    } catch (RuntimeException e) {
      throw new HistoryException("Redis unavailable: " + Reasons.oneLine(e), e);
    }
    if (seq == null) {
      return ReplayStart.earliest();
    }
    return new ReplayStart(Long.parseLong(new String(seq, StandardCharsets.US_ASCII)), lastEventId);
  }

  /**
   * The entry the index names for {@code eventId}, or {@code null}. The transport does not use it
   * (its append script checks IDs itself, atomically); it answers the {@link History} contract.
   */
  @Override
  public Update find(String eventId) throws HistoryException {
    ReplayStart at = locate(eventId);
    if (at.isEarliest()) {
      return null;
    }
    List<Update> entry = read(at.afterSequence() - 1, at.afterSequence(), 1);
    return entry.isEmpty() || !entry.get(0).id().equals(eventId) ? null : entry.get(0);
  }

  /**
   * Reads one page. An entry that breaks {@link Update}'s rules (not written by Herald) is skipped
   * with a warning, and the page is filled from the entries after it, so that a short page still
   * means the end of the range and one bad entry ends no replay.
   */
  @Override
  public List<Update> read(long afterSequence, long upToSequence, int limit) throws HistoryException {
    if (upToSequence <= afterSequence || limit <= 0) {
      return List.of();
    }
    List<Update> out = new ArrayList<>();
    long after = afterSequence;
    while (out.size() < limit && after < upToSequence) {
      int want = limit - out.size();
      List<StreamMessage<String, byte[]>> entries;
      try {
        entries = conn().sync().xrange(options.streamKey(),
            Range.create((after + 1) + "-0", upToSequence + "-0"), Limit.from(want));
      } catch (RuntimeException e) {
        throw new HistoryException("Redis unavailable: " + Reasons.oneLine(e), e);
      }
      for (StreamMessage<String, byte[]> m : entries) {
        after = StreamReader.sequenceOf(m.getId());
        try {
          out.add(UpdateCodec.decode(new String(m.getBody().get("i"), StandardCharsets.UTF_8),
              m.getBody().get("u"), after));
        } catch (UnsafeUpdateException e) {
          LOG.log(Level.WARNING, "skipping stream entry {0}, unsafe to replay: {1}",
              new Object[] {m.getId(), e.getMessage()});
        }
      }
      if (entries.size() < want) {
        break; // the range holds no more
      }
    }
    return out;
  }

  @Override
  public String lastEventId() {
    StatefulRedisConnection<String, byte[]> c = connection.get();
    if (c == null) {
      return null;
    }
    try {
      List<StreamMessage<String, byte[]>> last =
          c.sync().xrevrange(options.streamKey(), Range.unbounded(), Limit.from(1));
      return last.isEmpty() ? null : new String(last.get(0).getBody().get("i"), StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private StatefulRedisConnection<String, byte[]> conn() throws HistoryException {
    StatefulRedisConnection<String, byte[]> c = connection.get();
    if (c == null) {
      throw new HistoryException("Redis unavailable");
    }
    return c;
  }

  @Override
  public void close() {}
}
