package io.herald.redis;

import io.herald.core.Reasons;
import io.herald.core.transport.UpdateListener;
import io.herald.core.update.UnsafeUpdateException;
import io.herald.core.update.Update;
import io.herald.core.worker.Workers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * One node's reader of the shared stream: blocking {@code XREAD} from the last delivered entry, on
 * a connection of its own, handing each update to the listener in order from one thread.
 *
 * <p>When Redis is unreachable it keeps its place and retries with backoff; once Redis is back
 * it goes on after the last entry it delivered, so what other nodes published meanwhile arrives.
 * Entry IDs are {@code <sequence>-0} with dense sequences, so an entry that is not the next
 * sequence means entries were trimmed before this node read them (it fell behind retention): the
 * listener is reset ({@link UpdateListener#onReset()}) so that subscribers reconnect rather than
 * silently miss updates. The one exception: the hub's own events past their bound are deleted
 * from the middle of the stream (see {@code append.lua}); a gap while the stream still begins at
 * or before it held only such events, and is skipped without a reset.
 */
final class StreamReader {
  private static final System.Logger LOG = System.getLogger(StreamReader.class.getName());
  static final int READ_COUNT = 512;

  private final RedisClient client;
  private final RedisOptions options;
  private final long blockMillis;
  private final Thread thread;
  private volatile UpdateListener listener;
  private volatile long lastSequence;
  private volatile boolean closed;
  private volatile StatefulRedisConnection<String, byte[]> conn;
  /** Test hook: while set, the reader reads nothing (a node stalled behind the stream). */
  private volatile boolean paused;

  StreamReader(RedisClient client, RedisOptions options, long startAfter) {
    this.client = client;
    this.options = options;
    this.lastSequence = startAfter;
    this.blockMillis = Math.max(50, Math.min(1000, options.commandTimeout().toMillis() / 2));
    // Whatever escapes the read loop goes to the fatal handler: without it nothing is delivered.
    this.thread = Workers.thread("herald-redis-reader", this::run);
  }

  /** The sequence of the last entry delivered (or the stream's end when the reader was made). */
  long lastSequence() {
    return lastSequence;
  }

  synchronized void start(UpdateListener l) {
    this.listener = l;
    if (!thread.isAlive() && !closed) {
      thread.start();
    }
  }

  private void run() {
    long backoff = RedisTransport.MIN_BACKOFF_MILLIS;
    boolean down = false;
    boolean checkCounter = false;
    XReadArgs args = XReadArgs.Builder.block(blockMillis).count(READ_COUNT);
    while (!closed) {
      if (paused) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          break;
        }
        continue;
      }
      StatefulRedisConnection<String, byte[]> c = conn;
      try {
        if (c == null || !c.isOpen()) {
          c = client.connect(RedisTransport.CODEC);
          c.setTimeout(Duration.ofMillis(blockMillis).plus(options.commandTimeout()));
          conn = c;
        }
        if (checkCounter) {
          checkCounter = false;
          checkForLostData(c);
        }
        List<StreamMessage<String, byte[]>> batch = readAfterLast(c, args);
        if (down) {
          down = false;
          backoff = RedisTransport.MIN_BACKOFF_MILLIS;
          LOG.log(Level.INFO, "Redis at {0} reachable again: reading the stream after sequence {1}",
              new Object[] {options.safeUri(), Long.toString(lastSequence)});
        }
        for (StreamMessage<String, byte[]> m : batch) {
          deliver(m);
        }
      } catch (RuntimeException e) {
        if (closed) {
          break;
        }
        if (!down) {
          down = true;
          LOG.log(Level.WARNING, "Redis at {0} unavailable for reading ({1}): subscribers stay "
              + "connected; resuming after sequence {2} once it is back",
              new Object[] {options.safeUri(), Reasons.oneLine(e), Long.toString(lastSequence)});
        }
        checkCounter = true;
        if (c != null && c.isOpen()) {
          c.closeAsync();
        }
        conn = null;
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          break;
        }
        backoff = Math.min(RedisTransport.MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
    StatefulRedisConnection<String, byte[]> c = conn;
    if (c != null && c.isOpen()) {
      c.closeAsync();
    }
  }

  @SuppressWarnings("unchecked") // one stream offset through XREAD's generic varargs
  private List<StreamMessage<String, byte[]>> readAfterLast(StatefulRedisConnection<String, byte[]> c, XReadArgs args) {
    return c.sync().xread(args, XReadArgs.StreamOffset.from(options.streamKey(), lastSequence + "-0"));
  }

  /**
   * After an outage: if the sequence counter is behind what this node delivered, Redis came back
   * without its data (no persistence). Updates published since may reuse sequences this node
   * already passed, so its subscribers are reset.
   */
  private void checkForLostData(StatefulRedisConnection<String, byte[]> c) {
    byte[] raw = c.sync().get(options.sequenceKey());
    long counter = raw == null ? 0 : Long.parseLong(new String(raw, StandardCharsets.US_ASCII));
    if (counter < lastSequence) {
      LOG.log(Level.ERROR, "Redis at {0} lost its data (sequence counter {1}, this node delivered "
          + "up to {2}); resetting subscribers. Run Redis with persistence (appendonly yes).",
          new Object[] {options.safeUri(), Long.toString(counter), Long.toString(lastSequence)});
      reset();
    }
  }

  private void deliver(StreamMessage<String, byte[]> m) {
    long seq = sequenceOf(m.getId());
    if (seq <= lastSequence) {
      return;
    }
    if (seq != lastSequence + 1 && trimmedPast(lastSequence + 1)) {
      LOG.log(Level.WARNING, "fell behind the stream''s retention: sequences {0} to {1} were trimmed "
          + "before this node read them; resetting subscribers so they resume from history",
          new Object[] {Long.toString(lastSequence + 1), Long.toString(seq - 1)});
      reset();
    }
    lastSequence = seq;
    Update u;
    try {
      byte[] id = m.getBody().get("i");
      u = UpdateCodec.decode(new String(id, StandardCharsets.UTF_8), m.getBody().get("u"), seq);
    } catch (UnsafeUpdateException e) {
      // Not written by Herald (its updates cannot break the rule): skipped, the others go on.
      LOG.log(Level.WARNING, "skipping stream entry {0}, unsafe to deliver: {1}",
          new Object[] {m.getId(), e.getMessage()});
      return;
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "skipping undecodable stream entry " + m.getId(), e);
      return;
    }
    try {
      listener.onUpdate(u);
    } catch (RuntimeException e) {
      // A listener fault must not stop the reader (its Errors do: they reach the fatal handler).
      LOG.log(Level.ERROR, "dispatching update " + seq + " failed", e);
    }
  }

  /**
   * Whether retention trimmed the stream's beginning past {@code sequence}: then application
   * updates may be among the missing ones. When it did not, the missing entries were deleted from
   * the middle, which only ever happens to hub events past their own bound. In doubt (Redis not
   * answering), yes.
   */
  private boolean trimmedPast(long sequence) {
    StatefulRedisConnection<String, byte[]> c = conn;
    try {
      List<StreamMessage<String, byte[]>> head =
          c.sync().xrange(options.streamKey(), io.lettuce.core.Range.unbounded(), io.lettuce.core.Limit.from(1));
      return head.isEmpty() || sequenceOf(head.get(0).getId()) > sequence;
    } catch (RuntimeException e) {
      return true;
    }
  }

  private void reset() {
    try {
      listener.onReset();
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "resetting subscribers failed", e);
    }
  }

  /** Whether the reader thread runs (started, not closed). */
  boolean isRunning() {
    return thread.isAlive() && !closed;
  }

  void setPaused(boolean p) {
    paused = p;
  }

  static long sequenceOf(String entryId) {
    int dash = entryId.indexOf('-');
    return Long.parseLong(dash < 0 ? entryId : entryId.substring(0, dash));
  }

  void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(options.commandTimeout().toMillis() + blockMillis + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    StatefulRedisConnection<String, byte[]> c = conn;
    if (c != null && c.isOpen()) {
      c.close();
    }
  }
}
