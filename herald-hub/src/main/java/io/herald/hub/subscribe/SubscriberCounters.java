package io.herald.hub.subscribe;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counts subscriber events, for metrics and tests. Thread-safe, contention-free on hot paths. */
public final class SubscriberCounters {
  private final AtomicLong connected = new AtomicLong();
  private final AtomicLong subscriptions = new AtomicLong();
  private final LongAdder deliveries = new LongAdder();
  private final LongAdder droppedSlow = new LongAdder();
  private final LongAdder expired = new LongAdder();
  private final LongAdder replayed = new LongAdder();

  void opened(int selectors) {
    connected.incrementAndGet();
    subscriptions.addAndGet(selectors);
  }

  void closed(int selectors) {
    connected.decrementAndGet();
    subscriptions.addAndGet(-selectors);
  }

  void delivered(long n) {
    deliveries.add(n);
  }

  void droppedSlow() {
    droppedSlow.increment();
  }

  void expired() {
    expired.increment();
  }

  void replayed(long n) {
    replayed.add(n);
  }

  /** Subscribers whose stream is open now. */
  public long connectedCount() {
    return connected.get();
  }

  /** Topic selectors of the open streams (a stream with three selectors counts three). */
  public long subscriptionCount() {
    return subscriptions.get();
  }

  /** Events written to subscribers (live and replayed). */
  public long deliveryCount() {
    return deliveries.sum();
  }

  /** Subscribers disconnected because they could not keep up. */
  public long droppedSlowCount() {
    return droppedSlow.sum();
  }

  /** Subscribers disconnected because their token expired. */
  public long expiredCount() {
    return expired.sum();
  }

  /** Events sent from history to resuming subscribers. */
  public long replayedCount() {
    return replayed.sum();
  }

  private final LongAdder droppedBudget = new LongAdder();

  void droppedBudget() {
    droppedBudget.increment();
  }

  /** Subscribers disconnected because their connection's or the hub's queued-bytes budget was spent. */
  public long droppedBudgetCount() {
    return droppedBudget.sum();
  }
}
