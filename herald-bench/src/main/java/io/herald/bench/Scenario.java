package io.herald.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark scenarios. Each opens its own subscribers against the target, runs, and returns
 * one {@link Report}; every loop in them is bounded in count and in time.
 */
enum Scenario {
  /** Every subscriber on one topic: the deliveries/s and latency of fan-out. */
  FANOUT {
    @Override
    Report run(LoadSettings s, PrintStream progress) throws InterruptedException {
      LoadSettings shaped = s.withShape(s.subscribers(), 1);
      return connectAndMeasure(shaped, shaped.rate(), name(), progress);
    }
  },
  /**
   * Subscribers spread over many topics (subscriber i on topic i mod n), updates round-robin at
   * the topics rate (each update reaches only its topic's subscribers, so it is higher).
   */
  TOPICS {
    @Override
    Report run(LoadSettings s, PrintStream progress) throws InterruptedException {
      return connectAndMeasure(s, s.topicsRate(), name(), progress);
    }
  },
  /** Only open connections: resident memory (and JVM heap) per idle subscriber. */
  IDLE {
    @Override
    Report run(LoadSettings s, PrintStream progress) throws InterruptedException {
      LoadSettings shaped = s.withShape(s.subscribers(), 1);
      try (Run run = new Run(shaped, name(), progress)) {
        long heap0 = run.baseline(true);
        run.connect();
        TimeUnit.SECONDS.sleep(2);
        long n = run.pool.streaming();
        run.rssPerConnection("");
        if (heap0 > 0) {
          long heap1 = run.proc.heapAfterGcBytes();
          if (heap1 > 0 && n > 0) {
            run.report.put("heapBytes", heap1).put("heapPerConnectionBytes", (heap1 - heap0) / (double) n);
          }
        }
        // One update proves the idle streams are alive: every subscriber must get it.
        run.publisher.publishFor(1, Duration.ofMillis(1500));
        run.drainAndCheck();
        return run.report;
      }
    }
  },
  /** Subscribers keep leaving and coming back (with Last-Event-ID) while updates flow. */
  CHURN {
    @Override
    Report run(LoadSettings s, PrintStream progress) throws InterruptedException {
      LoadSettings shaped = s.withShape(s.subscribers(), 1);
      try (Run run = new Run(shaped, name(), progress)) {
        run.baseline(false);
        run.connect();
        // Churn starts after the warm-up: by then every subscriber has an event ID to resume from.
        Thread churner = new Thread(() -> {
          try {
            TimeUnit.NANOSECONDS.sleep(shaped.warmup().toNanos());
            run.tally.connectTime.getIntervalHistogram();
            churn(run, shaped);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "bench-churn");
        churner.setDaemon(true);
        long reconnects0 = run.tally.connected.sum();
        churner.start();
        run.report.values().putAll(run.measure(shaped.rate(), shaped.duration()));
        churner.interrupt();
        churner.join(5000);
        run.report.put("reconnectsPerSec", run.report.get("churned") == null ? 0
            : ((Number) run.report.get("churned")).doubleValue() / seconds(shaped.duration()));
        run.report.put("reconnectP99Ms", run.tally.connectTime.getIntervalHistogram().getValueAtPercentile(99) / 1000.0);
        // Let the last reconnections finish before counting what was lost.
        run.pool.awaitStreaming(Math.max(reconnects0, shaped.subscribers()), System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        run.drainAndCheck();
        return run.report;
      }
    }

    private void churn(Run run, LoadSettings s) {
      List<Subscriber> subs = run.pool.subscribers();
      int perTick = Math.max(1, s.churnRate() / 10);
      long churned = 0;
      int next = 0;
      try {
        while (!Thread.currentThread().isInterrupted()) {
          for (int i = 0; i < perTick; i++) {
            Subscriber sub = subs.get(next);
            next = (next + 1) % subs.size();
            var closed = run.pool.disconnect(sub);
            if (closed != null) {
              closed.addListener(f -> run.pool.reconnect(sub));
              churned++;
            }
          }
          run.report.put("churned", churned);
          TimeUnit.MILLISECONDS.sleep(100);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  },
  /** Every subscriber drops at once and comes back at once with Last-Event-ID, while updates flow. */
  RESUME {
    @Override
    Report run(LoadSettings s, PrintStream progress) throws InterruptedException {
      LoadSettings shaped = s.withShape(s.subscribers(), 1);
      try (Run run = new Run(shaped, name(), progress)) {
        run.baseline(false);
        run.connect();
        Thread storm = new Thread(() -> {
          try {
            TimeUnit.NANOSECONDS.sleep(shaped.warmup().toNanos() + shaped.duration().toNanos() / 3);
            run.pool.disconnectAll();
            TimeUnit.SECONDS.sleep(1);
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(60);
            run.pool.reconnectAll(deadline);
            boolean all = run.pool.awaitStreaming(shaped.subscribers(), deadline);
            run.report.put("resumeConnectMs", all ? (System.nanoTime() - start) / 1e6 : Double.NaN);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "bench-storm");
        storm.setDaemon(true);
        storm.start();
        run.report.values().putAll(run.measure(shaped.rate(), shaped.duration()));
        storm.join(TimeUnit.SECONDS.toMillis(70));
        run.drainAndCheck();
        return run.report;
      }
    }
  },
  /**
   * Fan-out at increasing rates: the highest publish rate whose p99 stays under the limit, with
   * nothing lost and the rate actually reached.
   */
  SWEEP {
    @Override
    Report run(LoadSettings s, PrintStream progress) throws InterruptedException {
      LoadSettings shaped = s.withShape(s.subscribers(), 1);
      try (Run run = new Run(shaped, name(), progress)) {
        run.baseline(false);
        run.connect();
        double limitMs = shaped.p99Limit().toNanos() / 1e6;
        int best = 0;
        double bestDeliveries = 0;
        List<Map<String, Object>> steps = new ArrayList<>();
        for (int rate : shaped.sweepRates()) {
          long dup0 = run.tally.duplicates();
          Map<String, Object> step = run.measure(rate, shaped.duration());
          run.awaitDelivered(TimeUnit.SECONDS.toNanos(5));
          long bad = run.tally.lost() + run.tally.duplicates() - dup0;
          step.put("lost", run.tally.lost());
          steps.add(step);
          run.report.addStep(step);
          double p99 = ((Number) step.get("p99Ms")).doubleValue();
          double achieved = ((Number) step.get("publishedPerSec")).doubleValue();
          // The rate counts as reached within 10%, or within one update over the step (at 1/s, the
          // first update of a step goes out after a second).
          double seconds = shaped.duration().toNanos() / 1e9;
          boolean reached = achieved >= 0.9 * rate || (rate - achieved) * seconds <= 1.5;
          boolean ok = p99 < limitMs && bad == 0 && reached;
          if (!ok) {
            break;
          }
          best = rate;
          bestDeliveries = ((Number) step.get("deliveriesPerSec")).doubleValue();
          TimeUnit.MILLISECONDS.sleep(500);
        }
        run.report.put("p99LimitMs", limitMs)
            .put("maxRateUnderLimit", best)
            .put("deliveriesPerSecUnderLimit", bestDeliveries);
        run.drainAndCheck();
        return run.report;
      }
    }
  };

  abstract Report run(LoadSettings settings, PrintStream progress) throws InterruptedException;

  static Scenario parse(String name) {
    return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  /** Connects every subscriber, publishes at {@code rate} for the measured duration, checks. */
  private static Report connectAndMeasure(LoadSettings s, int rate, String name, PrintStream progress)
      throws InterruptedException {
    try (Run run = new Run(s, name, progress)) {
      run.baseline(false);
      run.connect();
      run.report.values().putAll(run.measure(rate, s.duration()));
      run.drainAndCheck();
      return run.report;
    }
  }
}
