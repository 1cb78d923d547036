package io.herald.hub.publish;

import io.herald.hub.http.BodyBudget;
import io.herald.hub.http.BodyLimit;
import io.herald.hub.http.FrontDoorCounters;
import io.netty.channel.ChannelPipeline;

/**
 * The publish package's part of a connection's pipeline, where the router sends every publish
 * from its head on: {@link PublishGate} (admission from the head, 400/401/403/429, and the
 * hub-wide {@link BodyBudget}, 503), then {@link BodyLimit} (the bounded aggregation, 413), then
 * {@link PublishHandler} (form, {@link PublishService}, the answer). Nothing after it: a publish
 * never goes back to the router's package.
 *
 * <p>Built once by the hub; {@link #addTo} adds fresh per-connection steps (HTTP/2: per stream)
 * around the shared handler.
 */
public final class PublishIntake {
  private final PublishAdmission admission;
  private final PublishHandler handler;
  private final BodyBudget budget;
  private final int maxBodyBytes;
  private final FrontDoorCounters counters;

  /**
   * @param maxBodyBytes the largest publish body (larger: 413)
   * @param counters where a body refused for the budget is counted
   */
  public PublishIntake(
      PublishAdmission admission, PublishHandler handler, BodyBudget budget, int maxBodyBytes, FrontDoorCounters counters) {
    this.admission = admission;
    this.handler = handler;
    this.budget = budget;
    this.maxBodyBytes = maxBodyBytes;
    this.counters = counters;
  }

  /** Appends the intake's steps to a connection's (HTTP/2: a stream's) pipeline, after the router. */
  public void addTo(ChannelPipeline pipeline) {
    pipeline.addLast(new PublishGate(admission, budget, maxBodyBytes, counters), new BodyLimit(maxBodyBytes), handler);
  }
}
