package io.herald.hub.publish;

import java.util.concurrent.atomic.LongAdder;

/** Counts publishes by result, for metrics and tests. Thread-safe, contention-free. */
public final class PublishCounters {
  private final LongAdder accepted = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder failed = new LongAdder();

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

  /** Publishes acknowledged with 200. */
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
}
