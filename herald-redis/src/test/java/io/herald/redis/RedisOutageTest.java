package io.herald.redis;

import io.herald.hub.SseStream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis killed and restarted while two nodes publish and deliver: no update answered 200 is lost,
 * subscribers stay connected throughout, and the nodes recover without a restart.
 */
class RedisOutageTest {
  @TempDir Path dir;

  @Test
  void redisKilledAndRestartedUnderLoadLosesNoAcknowledgedUpdate() throws Exception {
    Path data = Files.createDirectories(dir.resolve("redis"));
    // appendfsync always: Redis answers the script only after its AOF write is fsynced, so
    // SIGKILL loses nothing it acknowledged.
    try (RedisServer redis = RedisServer.start(data, "--save", "", "--appendonly", "yes", "--appendfsync", "always")) {
      RedisOptions options = RedisOptions.of(redis.uri()).withCommandTimeout(Duration.ofSeconds(2));
      try (Node a = new Node(options); Node b = new Node(options);
          SseStream onA = a.subscribe(a.subscribeUri("load"));
          SseStream onB = b.subscribe(b.subscribeUri("load"))) {
        Set<String> attempted = ConcurrentHashMap.newKeySet();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          Node n = w % 2 == 0 ? a : b;
          int worker = w;
          workers.add(pool.submit(() -> {
            for (int i = 0; i < 200_000 && !stop.get(); i++) {
              String id = "p" + worker + "-" + i;
              attempted.add(id);
              HttpResponse<String> res = n.publish("topic", "load", "id", id, "data", "x");
              if (res.statusCode() == 200) {
                acked.add(id);
              } else if (res.statusCode() == 503) {
                refused.incrementAndGet();
                Thread.sleep(5);
              } else {
                other.incrementAndGet();
              }
            }
            return null;
          }));
        }
        try {
          await(() -> acked.size() >= 300, "300 acknowledged publishes");
          redis.kill();
          int ackedAtKill = acked.size();
          await(() -> refused.get() >= 20, "publishes refused with 503 while Redis is down");
          assertThat(a.transport.isAvailable() || b.transport.isAvailable()).isFalse();
          // Nothing can be acknowledged while Redis is down (a few may have been answered
          // between the kill and the moment the publish connection noticed).
          int ackedDuringOutage = acked.size();
          Thread.sleep(300);
          assertThat(acked.size()).isEqualTo(ackedDuringOutage);
          assertThat(ackedDuringOutage - ackedAtKill).isLessThanOrEqualTo(16);

          redis.start();
          int ackedAtRestart = acked.size();
          await(() -> acked.size() >= ackedAtRestart + 300, "300 more acknowledged publishes after the restart");
        } finally {
          stop.set(true);
          pool.shutdown();
        }
        for (Future<?> f : workers) {
          f.get(60, TimeUnit.SECONDS);
        }
        assertThat(other.get()).isZero();
        a.publishOk("topic", "load", "id", "final");

        List<String> gotA = drainUntilFinal(onA);
        List<String> gotB = drainUntilFinal(onB);
        // Same connection all along: never ended by the outage.
        assertThat(onA.ended).isFalse();
        assertThat(onB.ended).isFalse();
        assertThat(gotA).doesNotHaveDuplicates();
        assertThat(gotB).isEqualTo(gotA);
        assertThat(new HashSet<>(gotA)).containsAll(acked);
        assertThat(attempted).containsAll(gotA);
        // Per publisher, delivered in the order it published.
        for (int w = 0; w < 4; w++) {
          String prefix = "p" + w + "-";
          List<Integer> mine = gotA.stream().filter(id -> id.startsWith(prefix))
              .map(id -> Integer.parseInt(id.substring(prefix.length()))).toList();
          assertThat(mine).isSorted();
        }
      }
    }
  }

  private static List<String> drainUntilFinal(SseStream s) throws InterruptedException {
    List<String> ids = new ArrayList<>();
    while (true) {
      SseStream.Event e = s.nextData();
      if (e.id().equals("final")) {
        return ids;
      }
      ids.add(e.id());
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }
}
