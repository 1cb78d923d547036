package io.herald.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One scenario's harness against one target: the subscribers, the publisher, the shared tally and
 * the target's process figures, with the phases scenarios are made of (connect, publish and
 * measure, drain) each writing its figures into the report.
 */
final class Run implements AutoCloseable {
  private static final long CONNECT_TIMEOUT_SECONDS = 120;
  private static final long DRAIN_TIMEOUT_SECONDS = 10;

  final LoadSettings settings;
  final Tally tally;
  final SubscriberPool pool;
  final Publisher publisher;
  final ProcStats proc;
  /** This process: the load tool's own CPU shows whether it, not the target, was the limit. */
  private final ProcStats self = new ProcStats(java.util.List.of(ProcessHandle.current().pid()));
  final Report report;
  private final Progress progress;
  private long rssBefore = -1;

  Run(LoadSettings settings, String scenario, PrintStream progressOut) {
    this.settings = settings;
    this.tally = new Tally(settings.topics(), settings.subscribers());
    this.pool = new SubscriberPool(settings, tally);
    this.publisher = new Publisher(settings, tally);
    this.proc = new ProcStats(settings.targetPids());
    this.report = new Report(settings.label(), scenario);
    report.put("subscribers", settings.subscribers()).put("topics", settings.topics());
    this.progress = new Progress(settings.label(), scenario, tally, settings.progress(), progressOut);
  }

  /** Reads the target's memory before any subscriber connects (and its heap when asked). */
  long baseline(boolean heap) {
    rssBefore = proc.rssBytes();
    return heap && settings.jcmd() ? proc.heapAfterGcBytes() : -1;
  }

  /**
   * Opens every subscriber at once (bounded attempts in flight) and reports how many streamed,
   * how long it took until all did, and the target's resident memory per connection.
   */
  void connect() throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(CONNECT_TIMEOUT_SECONDS);
    pool.connectAll(deadline);
    boolean all = pool.awaitStreaming(settings.subscribers(), deadline);
    long elapsed = System.nanoTime() - start;
    pool.awaitSettled(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    Histogram connectTimes = tally.connectTime.getIntervalHistogram();
    report.put("connected", pool.streaming())
        .put("connectFailures", tally.connectFailures.sum())
        .put("connectMs", all ? elapsed / 1e6 : Double.NaN)
        .put("connectP99Ms", connectTimes.getValueAtPercentile(99) / 1000.0);
    rssPerConnection("");
  }

  /** Puts the target's RSS and RSS growth per streaming connection since {@link #baseline}. */
  void rssPerConnection(String suffix) {
    long rss = proc.rssBytes();
    long n = pool.streaming();
    if (rss > 0) {
      report.put("rssBytes" + suffix, rss);
      if (rssBefore > 0 && n > 0) {
        report.put("rssPerConnectionBytes" + suffix, (rss - rssBefore) / (double) n);
      }
    }
  }

  /**
   * Publishes for the warm-up, then for the measured duration, and returns the measured figures:
   * updates and deliveries per second, delivery and publish round-trip percentiles, the target's CPU.
   */
  Map<String, Object> measure(int rate, Duration duration) throws InterruptedException {
    if (!settings.warmup().isZero()) {
      publisher.publishFor(rate, settings.warmup());
    }
    tally.latency.getIntervalHistogram(); // drop the warm-up's samples
    tally.publishRtt.getIntervalHistogram();
    tally.measuring = true;
    long deliveries0 = tally.deliveries();
    long acked0 = ackedTotal();
    long cpu0 = proc.cpuNanos();
    long self0 = self.cpuNanos();
    long t0 = System.nanoTime();
    publisher.publishFor(rate, duration);
    long t1 = System.nanoTime();
    long cpu1 = proc.cpuNanos();
    long self1 = self.cpuNanos();
    tally.measuring = false;
    double seconds = (t1 - t0) / 1e9;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rate", rate);
    m.put("publishedPerSec", (ackedTotal() - acked0) / seconds);
    m.put("deliveriesPerSec", (tally.deliveries() - deliveries0) / seconds);
    Report.putLatency(m, tally.latency.getIntervalHistogram());
    Report.putPublishLatency(m, tally.publishRtt.getIntervalHistogram());
    if (cpu0 >= 0 && cpu1 >= 0) {
      m.put("targetCpuCores", (cpu1 - cpu0) / 1e9 / seconds);
    }
    m.put("toolCpuCores", (self1 - self0) / 1e9 / seconds);
    return m;
  }

  long ackedTotal() {
    long sum = 0;
    for (int t = 0; t < tally.acked.length(); t++) {
      sum += tally.acked.get(t);
    }
    return sum;
  }

  /** Waits until every expected delivery arrived (or a few seconds passed), then reports the checks. */
  void drainAndCheck() throws InterruptedException {
    awaitDelivered(TimeUnit.SECONDS.toNanos(DRAIN_TIMEOUT_SECONDS));
    report.put("published", tally.published.sum())
        .put("publishFailures", tally.publishFailures.sum())
        .put("publishSkipped", publisher.skipped.sum())
        .put("publishMaxInFlight", publisher.maxInFlight())
        .put("expectedDeliveries", tally.expected())
        .put("deliveries", tally.deliveries())
        .put("lost", tally.lost())
        .put("duplicated", tally.duplicates())
        .put("unexpectedDisconnects", tally.disconnects.sum());
  }

  /** Waits until every expected delivery arrived, at most {@code timeoutNanos}. */
  void awaitDelivered(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (tally.distinct() < tally.expected() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  @Override
  public void close() {
    progress.close();
    publisher.close();
    pool.close();
  }
}
