package io.herald.hub;

import io.herald.hub.publish.PublishCounters;

/**
 * What {@link HubServer#publishCounters()} reports: publishes counted by result, read-only.
 *
 * <p>A view in the exported root package over the publish package's own counters, so that an
 * embedder reads them without the module exporting {@code io.herald.hub.publish} (the publish
 * service and its HTTP adapter, which may change in any release). Each method reads the live
 * counter; none is copied.
 */
public final class PublishStats {
  private final PublishCounters counters;

  PublishStats(PublishCounters counters) {
    this.counters = counters;
  }

  /** Publishes acknowledged with 200 and newly stored. */
  public long acceptedCount() {
    return counters.acceptedCount();
  }

  /** Publishes refused with a 4xx. */
  public long refusedCount() {
    return counters.refusedCount();
  }

  /** Publishes that failed with a 5xx (not stored). */
  public long failedCount() {
    return counters.failedCount();
  }

  /** Retries of an update already stored under the same ID: 200, not stored again. */
  public long duplicateCount() {
    return counters.duplicateCount();
  }

  /** Publishes refused with 409: their ID is held by a different update. */
  public long conflictCount() {
    return counters.conflictCount();
  }
}
