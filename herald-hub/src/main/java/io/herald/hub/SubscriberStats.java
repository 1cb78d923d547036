package io.herald.hub;

import io.herald.hub.subscribe.SubscriberCounters;

/**
 * What {@link HubServer#subscriberCounters()} reports: subscriber streams and what they were sent,
 * read-only.
 *
 * <p>A view in the exported root package over the subscribe package's own counters, so that an
 * embedder reads them without the module exporting {@code io.herald.hub.subscribe} (the fan-out
 * and the subscriber streams, which may change in any release). Each method reads the live
 * counter; none is copied.
 */
public final class SubscriberStats {
  private final SubscriberCounters counters;

  SubscriberStats(SubscriberCounters counters) {
    this.counters = counters;
  }

  /** Subscribers whose stream is open now. */
  public long connectedCount() {
    return counters.connectedCount();
  }

  /** Topic selectors of the open streams (a stream with three selectors counts three). */
  public long subscriptionCount() {
    return counters.subscriptionCount();
  }

  /** Events written to subscribers (live and replayed). */
  public long deliveryCount() {
    return counters.deliveryCount();
  }

  /** Subscribers disconnected because they could not keep up. */
  public long droppedSlowCount() {
    return counters.droppedSlowCount();
  }

  /** Subscribers disconnected because their token expired. */
  public long expiredCount() {
    return counters.expiredCount();
  }

  /** Events sent from history to resuming subscribers. */
  public long replayedCount() {
    return counters.replayedCount();
  }

  /**
   * Subscribers disconnected because their connection's or the hub's queued-bytes budget was
   * spent.
   */
  public long droppedBudgetCount() {
    return counters.droppedBudgetCount();
  }
}
