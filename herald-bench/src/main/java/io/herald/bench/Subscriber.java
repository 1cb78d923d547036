package io.herald.bench;

import io.herald.core.sse.SseEvent;
import io.herald.core.sse.SseHandler;
import io.herald.core.sse.SseParser;
import io.netty.channel.Channel;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.BitSet;

/**
 * One simulated subscriber: its topic, its stream parser (Herald's own) and the sequences it
 * received, which survive reconnections so loss and duplication are checked across them.
 * Touched only by the event loop of its current connection.
 */
final class Subscriber implements SseHandler {
  final int index;
  final int topic;
  private final Tally tally;
  final SseParser parser = new SseParser(this);
  /**
   * The sequences received. Updates published concurrently may be delivered in another order than
   * their sequences, so each one is checked off rather than compared with the last.
   */
  private final BitSet seen = new BitSet();
  /** The current (or last) connection. */
  volatile Channel channel;
  /** Set when the tool closes the connection on purpose: then it does not reconnect by itself. */
  volatile boolean closing;
  private static final VarHandle DELIVERIES;
  private static final VarHandle DISTINCT;
  private static final VarHandle DUPLICATES;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      DELIVERIES = l.findVarHandle(Subscriber.class, "deliveries", long.class);
      DISTINCT = l.findVarHandle(Subscriber.class, "distinct", long.class);
      DUPLICATES = l.findVarHandle(Subscriber.class, "duplicates", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Counters written only by the current connection's event loop, read (opaque) by reporters. */
  private long deliveries;
  private long distinct;
  private long duplicates;
  int attempts;
  long connectStartNanos;

  Subscriber(int index, int topic, Tally tally) {
    this.index = index;
    this.topic = topic;
    this.tally = tally;
  }

  @Override
  public void onEvent(SseEvent event) {
    long now = System.nanoTime();
    String data = event.data();
    long seq = Payload.sequence(data);
    long sent = Payload.nanos(data);
    if (seq < 0 || sent < 0) {
      tally.foreign.increment();
      return;
    }
    tally.delivered(sent, now);
    DELIVERIES.setOpaque(this, deliveries + 1);
    if (seq > Integer.MAX_VALUE - 1 || seen.get((int) seq)) {
      DUPLICATES.setOpaque(this, duplicates + 1);
    } else {
      seen.set((int) seq);
      DISTINCT.setOpaque(this, distinct + 1);
    }
  }

  long deliveries() {
    return (long) DELIVERIES.getOpaque(this);
  }

  long distinct() {
    return (long) DISTINCT.getOpaque(this);
  }

  long duplicates() {
    return (long) DUPLICATES.getOpaque(this);
  }

  /** The {@code Last-Event-ID} to resume with, or empty before the first event. */
  String lastEventId() {
    return parser.lastEventId();
  }
}
