package io.herald.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The progress line printed on stderr once a second while a scenario runs: connections,
 * publishes and deliveries per second, and the sequence checks so far. Overwrites itself on a
 * terminal ({@code \r}); a plain line per second elsewhere is still readable in a log.
 */
final class Progress implements AutoCloseable {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-progress");
    t.setDaemon(true);
    return t;
  });
  private final PrintStream out;
  private final boolean terminal = System.console() != null;

  Progress(String label, String scenario, Tally tally, boolean enabled, PrintStream out) {
    this.out = out;
    if (!enabled) {
      return;
    }
    long start = System.nanoTime();
    long[] last = {0, 0};
    timer.scheduleAtFixedRate(() -> {
      long deliveries = tally.deliveries();
      long published = tally.published.sum();
      String line = String.format(Locale.ROOT,
          "[%s %s] %5.1fs  streaming %,d  failed %,d  publish %,d/s  deliver %,d/s  missing %,d  dup %,d",
          label, scenario, (System.nanoTime() - start) / 1e9, tally.connected.sum(), tally.connectFailures.sum(),
          published - last[0], deliveries - last[1], tally.lost(), tally.duplicates());
      last[0] = published;
      last[1] = deliveries;
      out.print(terminal ? "\r" + line + "   " : line + "\n");
      out.flush();
    }, 1, 1, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (terminal) {
      out.println();
    }
  }
}
