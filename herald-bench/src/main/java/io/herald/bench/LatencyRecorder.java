package io.herald.bench;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * A latency recorder written by many event loops without sharing a cache line: each thread gets
 * its own single-writer recorder, and an interval reads them all into one histogram.
 */
final class LatencyRecorder {
  private final long max;
  private final List<SingleWriterRecorder> all = new CopyOnWriteArrayList<>();
  private final ThreadLocal<SingleWriterRecorder> mine;

  LatencyRecorder(long max) {
    this.max = max;
    this.mine = ThreadLocal.withInitial(() -> {
      SingleWriterRecorder r = new SingleWriterRecorder(max, 3);
      all.add(r);
      return r;
    });
  }

  void recordValue(long value) {
    mine.get().recordValue(Math.min(value, max));
  }

  /** Everything recorded since the previous call, by every thread. */
  Histogram getIntervalHistogram() {
    Histogram h = new Histogram(max, 3);
    for (SingleWriterRecorder r : all) {
      h.add(r.getIntervalHistogram());
    }
    return h;
  }
}
