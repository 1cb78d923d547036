package io.herald.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The counters one run shares between its publisher and its subscribers, written from many event
 * loops at once: deliveries, their latency, sequence checks and connection outcomes. Latencies are
 * kept in microseconds.
 */
final class Tally {
  private static final long MAX_MICROS = TimeUnit.SECONDS.toMicros(120);

  final Recorder latency = new Recorder(MAX_MICROS, 3);
  final Recorder connectTime = new Recorder(MAX_MICROS, 3);
  /** Every benchmark event received, duplicates included. */
  final LongAdder deliveries = new LongAdder();
  /** Events received that were new to their subscriber (a sequence it had not seen). */
  final LongAdder distinct = new LongAdder();
  /** Events whose sequence the subscriber had already received. */
  final LongAdder duplicates = new LongAdder();
  /** Events whose data was not a benchmark payload. */
  final LongAdder foreign = new LongAdder();
  final LongAdder connected = new LongAdder();
  final LongAdder connectFailures = new LongAdder();
  final LongAdder disconnects = new LongAdder();
  final LongAdder published = new LongAdder();
  final LongAdder publishFailures = new LongAdder();
  /** Updates per topic the target acknowledged (2xx). */
  final AtomicLongArray acked;
  /** Subscribers per topic. */
  final int[] subscribersPerTopic;
  /** Whether deliveries are recorded in the latency histogram (off during warm-up). */
  volatile boolean measuring;

  Tally(int topics, int subscribers) {
    acked = new AtomicLongArray(topics);
    subscribersPerTopic = new int[topics];
    for (int i = 0; i < subscribers; i++) {
      subscribersPerTopic[i % topics]++;
    }
  }

  /** Records one delivery that arrived now, sent at {@code sentNanos}. */
  void delivered(long sentNanos, long nowNanos) {
    deliveries.increment();
    if (measuring) {
      long micros = Math.max(0, (nowNanos - sentNanos) / 1000);
      latency.recordValue(Math.min(micros, MAX_MICROS));
    }
  }

  /** The deliveries expected so far: each acknowledged update times the subscribers of its topic. */
  long expected() {
    long sum = 0;
    for (int t = 0; t < subscribersPerTopic.length; t++) {
      sum += acked.get(t) * subscribersPerTopic[t];
    }
    return sum;
  }

  /** Expected deliveries that never arrived (never negative). */
  long lost() {
    return Math.max(0, expected() - distinct.sum());
  }

  /** A histogram that can hold anything a {@link Recorder} of this tally records. */
  static Histogram emptyHistogram() {
    return new Histogram(MAX_MICROS, 3);
  }
}
