package io.herald.hub.publish;

import java.util.concurrent.atomic.LongAdder;

/** Counts publishes by result, for metrics and tests. Thread-safe, contention-free. */
public final class PublishCounters {
  private final LongAdder accepted = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder duplicate = new LongAdder();
  private final LongAdder conflict = new LongAdder();

  void accepted() {
    accepted.increment();
  }

  void refused(int status) {
    if (status >= 500) {
      failed.increment();
    } else {
      refused.increment();
    }
  }

  void duplicate() {
    duplicate.increment();
  }

  void conflict() {
    conflict.increment();
  }

  /** Publishes acknowledged with 200 and newly stored. */
  public long acceptedCount() {
    return accepted.sum();
  }

  /** Publishes refused with a 4xx. */
  public long refusedCount() {
    return refused.sum();
  }

  /** Publishes that failed with a 5xx (not stored). */
  public long failedCount() {
    return failed.sum();
  }

  /** Retries of an update already stored under the same ID: 200, not stored again. */
  public long duplicateCount() {
    return duplicate.sum();
  }

  /** Publishes refused with 409: their ID is held by a different update. */
  public long conflictCount() {
    return conflict.sum();
  }
}
