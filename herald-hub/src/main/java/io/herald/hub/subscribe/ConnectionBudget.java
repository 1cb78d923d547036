package io.herald.hub.subscribe;

import io.netty.channel.Channel;

/**
 * The queued outbound bytes of one connection: the sum over its HTTP/2 streams, or the one
 * stream of an HTTP/1.1 connection. Lives on the connection's event loop (an HTTP/2
 * connection's streams share it) and is touched only from there.
 *
 * <p>Bounds what one client can make the hub hold however many streams it opens: past the limit
 * its streams are dropped on their next write (see {@link OutboundBudget} for the rule and its
 * reserve for streams that keep up).
 */
final class ConnectionBudget {
  private final Channel connection;
  private final long max;
  private long queued;
  private long unwritableSinceNanos;

  ConnectionBudget(Channel connection, long max) {
    this.connection = connection;
    this.max = max;
  }

  long queued() {
    return queued;
  }

  void add(long delta) {
    queued += delta;
  }

  /** Where {@code cost} more bytes would land (see {@link OutboundBudget#room(long)}). */
  int room(long cost) {
    return OutboundBudget.room(queued, cost, max);
  }

  /**
   * Periodic check of an HTTP/2 connection: its socket unwritable for longer than {@code
   * timeoutNanos} means the client reads nothing at all, not even the resets of its dropped
   * streams, whose data the hub would hold until the connection ends. It is closed.
   * Returns whether it was.
   */
  boolean sweep(long now, long timeoutNanos) {
    if (connection.isWritable()) {
      unwritableSinceNanos = 0;
      return false;
    }
    if (unwritableSinceNanos == 0) {
      unwritableSinceNanos = now;
      return false;
    }
    if (timeoutNanos > 0 && now - unwritableSinceNanos > timeoutNanos) {
      connection.close();
      return true;
    }
    return false;
  }
}
