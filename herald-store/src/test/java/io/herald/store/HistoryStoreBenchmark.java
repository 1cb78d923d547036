package io.herald.store;

import io.herald.core.history.History;
import io.herald.core.history.HistoryException;
import io.herald.core.history.ReplayStart;
import io.herald.core.transport.HistoryTransport;
import io.herald.core.update.Update;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Durable publish throughput of the store behind core's {@link HistoryTransport} (which does the
 * group commit), as recorded in docs/benchmarks/history-store.md. Not a test: run by hand.
 *
 * <p>For each fsync policy and each publisher count, N threads each loop on {@code
 * publish(update).join()} for the measured interval after a warm-up. Reported: acknowledged
 * updates per second, the publish-to-acknowledgement latency percentiles seen by a publisher,
 * the latency of the {@code History.append(batch)} calls (one durable write each), and the mean
 * batch size. Retention by count is on (100,000), so pruning runs during the measurement. Then
 * the same with N publishes in flight driven asynchronously from two threads (the way the hub's
 * event loops drive it), and the store alone, without the transport.
 *
 * <pre>java -cp ... io.herald.store.HistoryStoreBenchmark [seconds] [warmup] [dir] [fsync:n]</pre>
 */
public final class HistoryStoreBenchmark {
  private static final int[] PUBLISHERS = {1, 16, 256};
  private static final long RETAINED = 100_000;

  private HistoryStoreBenchmark() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
    double warmup = args.length > 1 ? Double.parseDouble(args[1]) : 3;
    Path base = Path.of(args.length > 2 ? args[2] : "target/bench");
    Files.createDirectories(base);
    System.out.printf(
        "%-6s %10s %10s %10s %10s %12s %10s%n",
        "fsync", "publishers", "updates/s", "p50 ms", "p99 ms", "append p99", "avg batch");
    // Optional filter, e.g. "always:256", to profile one case.
    String only = args.length > 3 ? args[3] : null;
    for (FsyncPolicy policy : FsyncPolicy.values()) {
      for (int n : PUBLISHERS) {
        if (only == null || only.equals(policy.name().toLowerCase() + ":" + n)) {
          run(base, policy, n, warmup, seconds);
        }
      }
    }
    if (only != null) {
      return;
    }
    System.out.println();
    System.out.println(
        "asynchronous publishers: N publishes in flight, acks handled by 2 threads (like the"
            + " hub's event loops), no thread per publisher");
    System.out.printf(
        "%-6s %10s %10s %10s %10s%n", "fsync", "in flight", "updates/s", "p50 ms", "p99 ms");
    for (FsyncPolicy policy : FsyncPolicy.values()) {
      for (int n : PUBLISHERS) {
        runAsync(base, policy, n, warmup, seconds);
      }
    }
    System.out.println();
    System.out.println("store alone: one thread calling append(batch), no transport");
    System.out.printf("%-6s %10s %10s %12s%n", "fsync", "batch", "updates/s", "append p99");
    for (FsyncPolicy policy : FsyncPolicy.values()) {
      for (int n : PUBLISHERS) {
        runStoreOnly(base, policy, n, seconds);
      }
    }
  }

  /**
   * N publishes kept in flight without a thread each: every acknowledgement is handled on one of
   * two "loop" threads, which records the latency and publishes that publisher's next update.
   * This is how the hub drives the transport (Netty event loops, futures, no blocking).
   */
  private static void runAsync(Path base, FsyncPolicy policy, int inFlight, double warmup,
      double seconds) throws Exception {
    Path dir = Files.createTempDirectory(base, "async-" + policy + "-" + inFlight + "-");
    StoreOptions options = StoreOptions.defaults().withFsync(policy).withMaxCount(RETAINED);
    java.util.concurrent.ExecutorService loops = java.util.concurrent.Executors.newFixedThreadPool(2);
    try (DurableHistory history = DurableHistory.open(dir, options);
        HistoryTransport transport = new HistoryTransport(history)) {
      long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
      long end = warmEnd + (long) (seconds * 1e9);
      String payload = "{\"status\":\"in stock\",\"price\":\"12.50\",\"updated\":\"x\"}".repeat(2);
      long[][] lat = new long[inFlight][];
      int[] counts = new int[inFlight];
      CountDownLatch done = new CountDownLatch(inFlight);
      AtomicLong ids = new AtomicLong();
      for (int p = 0; p < inFlight; p++) {
        lat[p] = new long[1024];
        int me = p;
        Runnable[] next = new Runnable[1];
        next[0] =
            () -> {
              long t0 = System.nanoTime();
              if (t0 >= end) {
                done.countDown();
                return;
              }
              Update u =
                  new Update("urn:uuid:a-" + ids.incrementAndGet(),
                      List.of("https://example.com/books/" + me), payload, null, -1, false, 0);
              transport
                  .publish(u)
                  .whenCompleteAsync(
                      (stored, error) -> {
                        long t1 = System.nanoTime();
                        if (error == null && t0 >= warmEnd) {
                          if (counts[me] == lat[me].length) {
                            lat[me] = Arrays.copyOf(lat[me], counts[me] * 2);
                          }
                          lat[me][counts[me]++] = t1 - t0;
                        }
                        next[0].run();
                      },
                      loops);
            };
        loops.execute(next[0]);
      }
      done.await();
      long[] all = new long[Arrays.stream(counts).sum()];
      int k = 0;
      for (int p = 0; p < inFlight; p++) {
        System.arraycopy(lat[p], 0, all, k, counts[p]);
        k += counts[p];
      }
      Arrays.sort(all);
      System.out.printf(
          "%-6s %10d %10.0f %10.2f %10.2f%n",
          policy.name().toLowerCase(), inFlight, all.length / seconds,
          pct(all, 0.50) / 1e6, pct(all, 0.99) / 1e6);
    } finally {
      loops.shutdown();
    }
  }

  private static void runStoreOnly(Path base, FsyncPolicy policy, int batchSize, double seconds)
      throws Exception {
    Path dir = Files.createTempDirectory(base, "direct-" + policy + "-" + batchSize + "-");
    StoreOptions options = StoreOptions.defaults().withFsync(policy).withMaxCount(RETAINED);
    try (DurableHistory history = DurableHistory.open(dir, options)) {
      String payload = "{\"status\":\"in stock\",\"price\":\"12.50\",\"updated\":\"x\"}".repeat(2);
      long end = System.nanoTime() + (long) (seconds * 1e9);
      long[] lat = new long[1024];
      int count = 0;
      long seq = 1;
      while (System.nanoTime() < end) {
        List<Update> batch = new java.util.ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++, seq++) {
          batch.add(
              new Update("urn:uuid:" + seq, List.of("https://example.com/books/" + (seq % 256)),
                  payload, null, -1, false, seq));
        }
        long t0 = System.nanoTime();
        history.append(batch);
        if (count == lat.length) {
          lat = Arrays.copyOf(lat, count * 2);
        }
        lat[count++] = System.nanoTime() - t0;
      }
      long[] sorted = Arrays.copyOf(lat, count);
      Arrays.sort(sorted);
      System.out.printf(
          "%-6s %10d %10.0f %12.2f%n",
          policy.name().toLowerCase(), batchSize, (seq - 1) / seconds, pct(sorted, 0.99) / 1e6);
    }
  }

  private static void run(Path base, FsyncPolicy policy, int publishers, double warmup,
      double seconds) throws Exception {
    Path dir = Files.createTempDirectory(base, policy + "-" + publishers + "-");
    StoreOptions options = StoreOptions.defaults().withFsync(policy).withMaxCount(RETAINED);
    try (TimedHistory history = new TimedHistory(DurableHistory.open(dir, options));
        HistoryTransport transport = new HistoryTransport(history)) {
      long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
      long end = warmEnd + (long) (seconds * 1e9);
      long[][] latencies = new long[publishers][];
      int[] counts = new int[publishers];
      CountDownLatch done = new CountDownLatch(publishers);
      String payload = "{\"status\":\"in stock\",\"price\":\"12.50\",\"updated\":\"x\"}".repeat(2);
      for (int p = 0; p < publishers; p++) {
        int me = p;
        Thread t =
            new Thread(
                () -> {
                  long[] lat = new long[1024];
                  int count = 0;
                  long i = 0;
                  while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                      break;
                    }
                    Update u =
                        new Update(
                            "urn:uuid:" + me + "-" + i++,
                            List.of("https://example.com/books/" + me),
                            payload,
                            null,
                            -1,
                            false,
                            0);
                    transport.publish(u).join();
                    long t1 = System.nanoTime();
                    if (t0 >= warmEnd) {
                      if (count == lat.length) {
                        lat = Arrays.copyOf(lat, count * 2);
                      }
                      lat[count++] = t1 - t0;
                    }
                  }
                  latencies[me] = lat;
                  counts[me] = count;
                  done.countDown();
                },
                "publisher-" + p);
        t.start();
      }
      Thread.sleep(Math.max(0, (warmEnd - System.nanoTime()) / 1_000_000));
      history.startMeasuring();
      done.await();
      long[] all = new long[Arrays.stream(counts).sum()];
      int k = 0;
      for (int p = 0; p < publishers; p++) {
        System.arraycopy(latencies[p], 0, all, k, counts[p]);
        k += counts[p];
      }
      Arrays.sort(all);
      long[] appends = history.appendLatencies();
      Arrays.sort(appends);
      System.out.printf(
          "%-6s %10d %10.0f %10.2f %10.2f %12.2f %10.1f%n",
          policy.name().toLowerCase(),
          publishers,
          all.length / seconds,
          pct(all, 0.50) / 1e6,
          pct(all, 0.99) / 1e6,
          pct(appends, 0.99) / 1e6,
          history.appended() / (double) Math.max(1, appends.length));
    }
  }

  private static long pct(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))];
  }

  /** Times each append (one durable write) once measuring starts. Writer thread only. */
  private static final class TimedHistory implements History {
    private final DurableHistory delegate;
    private volatile boolean measuring;
    private long[] lat = new long[4096];
    private int count;
    private final AtomicLong appended = new AtomicLong();

    TimedHistory(DurableHistory delegate) {
      this.delegate = delegate;
    }

    void startMeasuring() {
      measuring = true;
    }

    long[] appendLatencies() {
      synchronized (this) {
        return Arrays.copyOf(lat, count);
      }
    }

    long appended() {
      return appended.get();
    }

    @Override
    public void append(List<Update> batch) throws HistoryException {
      long t0 = System.nanoTime();
      delegate.append(batch);
      long t = System.nanoTime() - t0;
      if (measuring) {
        synchronized (this) {
          if (count == lat.length) {
            lat = Arrays.copyOf(lat, count * 2);
          }
          lat[count++] = t;
        }
        appended.addAndGet(batch.size());
      }
    }

    @Override
    public long lastSequence() {
      return delegate.lastSequence();
    }

    @Override
    public ReplayStart locate(String lastEventId) throws HistoryException {
      return delegate.locate(lastEventId);
    }

    @Override
    public Update find(String eventId) throws HistoryException {
      return delegate.find(eventId);
    }

    @Override
    public List<Update> read(long afterSequence, long upToSequence, int limit)
        throws HistoryException {
      return delegate.read(afterSequence, upToSequence, limit);
    }

    @Override
    public String lastEventId() {
      return delegate.lastEventId();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
