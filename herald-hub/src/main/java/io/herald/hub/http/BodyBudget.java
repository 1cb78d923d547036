package io.herald.hub.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub-wide budget of request-body bytes being buffered (aggregated) at once. Bodies are held
 * in direct memory until their request is handled; without a global cap, many clients each sending
 * a large body slowly exhaust it. A body that does not fit is refused with 503 (by the gate,
 * {@code publish/PublishGate}); what a request reserved is given back when it is consumed or its
 * connection dies.
 */
public final class BodyBudget {
  private final long maxBytes;
  private final AtomicLong inFlight = new AtomicLong();

  public BodyBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Reserves {@code bytes}, or returns {@code false} (reserving nothing) if they do not fit. */
  public boolean tryReserve(long bytes) {
    while (true) {
      long now = inFlight.get();
      if (now + bytes > maxBytes) {
        return false;
      }
      if (inFlight.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** Gives back bytes reserved earlier. */
  public void release(long bytes) {
    if (bytes > 0) {
      inFlight.addAndGet(-bytes);
    }
  }

  /** Bytes reserved now. */
  public long inFlight() {
    return inFlight.get();
  }

  public long maxBytes() {
    return maxBytes;
  }
}
