package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that never reads is dropped, the others keep receiving everything in order, and
 * the hub's memory does not grow with what the stuck subscriber failed to take.
 */
class SlowConsumerTest {
  private static final int UPDATES = 1500;
  private static final int SIZE = 32 * 1024;

  @Test
  void stuckSubscriberIsDroppedWhileFastOnesKeepUp() throws Exception {
    // A small history: the replay ring would otherwise legitimately hold what was published.
    try (HubFixture f = new HubFixture(16, b -> b.anonymous(true)
            // Loose enough that the fast reader, starved of CPU on a loaded machine, is not dropped;
            // the stuck one passes 4 MiB queued long before the test has published its 48 MB.
            .dispatchTimeout(Duration.ofSeconds(3))
            .maxQueuedBytes(4 << 20));
        Socket stuck = new Socket()) {
      stuck.setReceiveBufferSize(4096);
      stuck.connect(new InetSocketAddress("127.0.0.1", f.port()));
      stuck.getOutputStream().write(
          "GET /.well-known/mercure?topic=t HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      stuck.getOutputStream().flush();
      // Read only the response head, then never again.
      InputStream in = stuck.getInputStream();
      byte[] head = new byte[64];
      int n = in.read(head);
      assertThat(new String(head, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");

      try (SseStream fast = f.subscribe(f.subscribeUri("t"))) {
        waitFor(() -> f.hub.subscriberCounters().connectedCount() == 2);
        long heapBefore = usedHeapAfterGc();
        String data = "x".repeat(SIZE);
        Thread reader = new Thread(() -> {
          try {
            for (int i = 0; i < UPDATES; i++) {
              assertThat(fast.nextData().id()).isEqualTo("s" + i);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        reader.setUncaughtExceptionHandler((t, e) -> failure.set(e));
        reader.start();
        for (int i = 0; i < UPDATES; i++) {
          f.publishOk("topic", "t", "id", "s" + i, "data", data);
        }
        reader.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(reader.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        // The fast subscriber got everything (checked by the reader's assertions above) and still
        // holds its stream; the stuck one was dropped.
        waitFor(() -> f.hub.subscriberCounters().droppedSlowCount() == 1);
        waitFor(() -> f.hub.subscriberCounters().connectedCount() == 1);
        String last = f.publishOk("topic", "t", "id", "after", "data", "small");
        assertThat(fast.nextData().id()).isEqualTo(last);

        // ~48 MB went out; neither heap nor Netty's direct buffers kept it.
        long heapGrowth = usedHeapAfterGc() - heapBefore;
        assertThat(heapGrowth).isLessThan(16L << 20);
        waitFor(() -> PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() < (64L << 20));
      }
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      TimeUnit.MILLISECONDS.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SseStream.WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within " + SseStream.WAIT_SECONDS + "s");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
