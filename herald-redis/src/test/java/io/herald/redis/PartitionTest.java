package io.herald.redis;

import io.herald.hub.SseStream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node loses Redis while another keeps publishing: the cut-off node refuses publishes with
 * 503, keeps its subscribers connected, and when Redis is reachable again delivers, in order,
 * what was published on the other node meanwhile.
 */
class PartitionTest {
  @TempDir Path dir;

  @Test
  void aNodeCutOffFromRedisCatchesUpWithWhatOtherNodesPublishedMeanwhile() throws Exception {
    try (RedisServer redis = RedisServer.start(dir);
        TcpProxy link = new TcpProxy(redis.port())) {
      RedisOptions viaLink = RedisOptions.of("redis://127.0.0.1:" + link.port())
          .withCommandTimeout(Duration.ofSeconds(2));
      try (Node a = new Node(viaLink); Node b = new Node(redis.uri());
          SseStream onA = a.subscribe(a.subscribeUri("t"));
          SseStream onB = b.subscribe(b.subscribeUri("t"))) {
        b.publishOk("topic", "t", "id", "before");
        assertThat(onA.nextData().id()).isEqualTo("before");
        assertThat(onB.nextData().id()).isEqualTo("before");

        link.cut();
        await(() -> !a.transport.isAvailable(), "node A to notice it lost Redis");
        assertThat(a.publish("topic", "t", "id", "refused").statusCode()).isEqualTo(503);
        for (int i = 1; i <= 50; i++) {
          b.publishOk("topic", "t", "id", "m" + i);
        }
        for (int i = 1; i <= 50; i++) {
          assertThat(onB.nextData().id()).isEqualTo("m" + i);
        }
        assertThat(onA.ended).as("A's subscriber stays connected").isFalse();

        link.restore();
        for (int i = 1; i <= 50; i++) {
          assertThat(onA.nextData().id()).isEqualTo("m" + i);
        }
        await(a.transport::isAvailable, "node A to publish again");
        a.publishOk("topic", "t", "id", "after");
        assertThat(onA.nextData().id()).isEqualTo("after");
        assertThat(onB.nextData().id()).isEqualTo("after");
        assertThat(onA.ended).isFalse();
      }
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }
}
