package io.herald.hub.subscribe;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub-wide budget of queued outbound bytes: what every subscriber stream has handed to its
 * channel (or queued while replaying) and that has not left yet, summed over the whole hub.
 *
 * <p>Each event loop owns one {@link Share} and is the only writer of it, so charging costs no
 * lock and no contended atomic: the loop adds to a plain field and publishes it with an ordered
 * store; the total is the sum of the published shares (one volatile read per loop).
 *
 * <p>Admission, for this budget and for {@link ConnectionBudget} alike: a write that would take
 * the total over the limit is not made. The last eighth of the limit is a reserve only streams
 * that keep up may use (everything they had flushed has left, now or within the last second), so
 * that when slow or stalled streams fill the budget it is they that are
 * dropped on their next write, not the readers who take everything at once. Loops check and
 * charge without a lock between them, so two loops may each pass the check at once: the total can
 * exceed the limit by at most one write per event loop.
 */
public final class OutboundBudget {
  /** The reserve is {@code 1 / RESERVE_FRACTION} of a limit. */
  private static final int RESERVE_FRACTION = 8;

  private final long max;
  private final Share[] shares;

  OutboundBudget(long max, int loops) {
    if (max <= 0) {
      throw new IllegalArgumentException("queued bytes budget must be positive: " + max);
    }
    this.max = max;
    this.shares = new Share[loops];
    for (int i = 0; i < loops; i++) {
      shares[i] = new Share();
    }
  }

  /** The share of loop {@code i}: only that loop may write it. */
  Share share(int i) {
    return shares[i];
  }

  /** The limit, in bytes. */
  public long max() {
    return max;
  }

  /** Bytes queued now across the hub (read from any thread; each loop's share as last published). */
  public long total() {
    long sum = 0;
    for (Share s : shares) {
      sum += s.published.get();
    }
    return sum;
  }

  /** Where {@code cost} more bytes would land: {@link #FITS}, {@link #RESERVE_ONLY} or {@link #FULL}. */
  int room(long cost) {
    return room(total(), cost, max);
  }

  /** {@code cost} more bytes fit below the reserve. */
  static final int FITS = 2;
  /** {@code cost} more bytes fit only in the reserve: for streams that keep up. */
  static final int RESERVE_ONLY = 1;
  /** {@code cost} more bytes do not fit. */
  static final int FULL = 0;

  /** The admission rule shared by the hub and the connection budgets. */
  static int room(long queued, long cost, long max) {
    long after = queued + cost;
    if (after <= max - max / RESERVE_FRACTION) {
      return FITS;
    }
    return after <= max ? RESERVE_ONLY : FULL;
  }

  /** One event loop's part of the total. Written by its loop only. */
  static final class Share {
    private final AtomicLong published = new AtomicLong();
    private long value;

    void add(long delta) {
      value += delta;
      published.lazySet(value);
    }

    long value() {
      return value;
    }
  }
}
