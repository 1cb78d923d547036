package io.herald.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters one run shares between its publisher and its subscribers, written from many event
 * loops at once: deliveries, their latency, sequence checks and connection outcomes. Latencies are
 * kept in microseconds; delivery counts live in each subscriber (one writer each) and are added up
 * when read.
 */
final class Tally {
  private static final long MAX_MICROS = TimeUnit.SECONDS.toMicros(120);

  final LatencyRecorder latency = new LatencyRecorder(MAX_MICROS);
  final LatencyRecorder connectTime = new LatencyRecorder(MAX_MICROS);
  /** Round trips of acknowledged publishes: request written to response (status and body) read. */
  final LatencyRecorder publishRtt = new LatencyRecorder(MAX_MICROS);
  /** The subscribers, whose own counters (one writer each) add up to the delivery figures. */
  private volatile List<Subscriber> subscribers = List.of();
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
  /** Whether deliveries and publish round trips are recorded in their histograms (off during warm-up). */
  volatile boolean measuring;

  Tally(int topics, int subscribers) {
    acked = new AtomicLongArray(topics);
    subscribersPerTopic = new int[topics];
    for (int i = 0; i < subscribers; i++) {
      subscribersPerTopic[i % topics]++;
    }
  }

  void subscribers(List<Subscriber> all) {
    subscribers = List.copyOf(all);
  }

  /** Records the latency of one delivery that arrived now, sent at {@code sentNanos}. */
  void delivered(long sentNanos, long nowNanos) {
    if (measuring) {
      latency.recordValue(Math.max(0, (nowNanos - sentNanos) / 1000));
    }
  }

  /** Records the round trip of one acknowledged publish, sent at {@code sentNanos}, answered now. */
  void acknowledged(long sentNanos, long nowNanos) {
    if (measuring) {
      publishRtt.recordValue(Math.max(0, (nowNanos - sentNanos) / 1000));
    }
  }

  /** Every benchmark event received, duplicates included. */
  long deliveries() {
    long sum = 0;
    for (Subscriber s : subscribers) {
      sum += s.deliveries();
    }
    return sum;
  }

  /** Events received that were new to their subscriber (a sequence it had not seen). */
  long distinct() {
    long sum = 0;
    for (Subscriber s : subscribers) {
      sum += s.distinct();
    }
    return sum;
  }

  /** Events whose sequence the subscriber had already received. */
  long duplicates() {
    long sum = 0;
    for (Subscriber s : subscribers) {
      sum += s.duplicates();
    }
    return sum;
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
    return Math.max(0, expected() - distinct());
  }

}
