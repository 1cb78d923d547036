package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.history.MemoryHistory;
import io.herald.core.transport.HistoryTransport;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link PublishStats} and {@link SubscriberStats}, the read-only views {@link HubServer} hands
 * out in place of the publish and subscribe packages' counters: each of their readings is the
 * hub's own count of what happened over real HTTP, reading by reading (a view that read the wrong
 * counter, or a copy taken once, fails here).
 */
class HubServerStatsTest {
  private static final String ID = "urn:herald:stats-1";

  @Test
  void publishStatsCountEachResultOnItsOwn() throws Exception {
    try (HubFixture f = new HubFixture()) {
      PublishStats stats = f.hub.publishCounters();

      f.publishOk("topic", "t", "id", ID, "data", "a");
      f.publishOk("topic", "t", "id", ID, "data", "a"); // a retry of the same update
      assertThat(f.publish(HubFixture.publisherToken(), "topic", "t", "id", ID, "data", "b").statusCode())
          .isEqualTo(409);
      String noPublishRight = HubFixture.token(List.of(), List.of("*"));
      assertThat(f.publish(noPublishRight, "topic", "t", "data", "c").statusCode()).isEqualTo(403);
      assertThat(f.publish(HubFixture.publisherToken(), "data", "no topic").statusCode()).isEqualTo(400);

      assertThat(stats.acceptedCount()).isEqualTo(1);
      assertThat(stats.duplicateCount()).isEqualTo(1);
      assertThat(stats.conflictCount()).isEqualTo(1);
      assertThat(stats.refusedCount()).isEqualTo(2);
      assertThat(stats.failedCount()).isZero();
    }
  }

  @Test
  void aPublishThatCannotBeStoredCountsAsFailed() throws Exception {
    MemoryHistory history = new MemoryHistory(100);
    HistoryTransport transport = new HistoryTransport(history);
    try (HubFixture f = new HubFixture(transport, b -> {})) {
      transport.close(); // closed under the running hub: nothing can be stored any more

      int status = f.publish(HubFixture.publisherToken(), "topic", "t", "data", "a").statusCode();

      assertThat(status).isGreaterThanOrEqualTo(500);
      assertThat(f.hub.publishCounters().failedCount()).isEqualTo(1);
      assertThat(f.hub.publishCounters().acceptedCount()).isZero();
      assertThat(f.hub.publishCounters().refusedCount()).isZero();
    } finally {
      history.close();
    }
  }

  @Test
  void subscriberStatsFollowTheOpenStreamsAndWhatTheyWereSent() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.anonymous(true))) {
      SubscriberStats stats = f.hub.subscriberCounters();
      String first = f.publishOk("topic", "t", "data", "stored before the stream");
      String second = f.publishOk("topic", "u", "data", "stored too");

      try (SseStream stream = f.subscribe(f.subscribeUri("t", "u", "v"), "Last-Event-ID", "earliest")) {
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.nextData().id()).isEqualTo(first);
        assertThat(stream.nextData().id()).isEqualTo(second);
        waitFor(() -> stats.connectedCount() == 1);

        f.publishOk("topic", "u", "data", "live");
        assertThat(stream.nextData().data()).isEqualTo("live");
        waitFor(() -> stats.deliveryCount() == 3);
        assertThat(stats.replayedCount()).isEqualTo(2);
        assertThat(stats.connectedCount()).isEqualTo(1);
        assertThat(stats.subscriptionCount()).isEqualTo(3);
      }
      waitFor(() -> stats.connectedCount() == 0);
      assertThat(stats.subscriptionCount()).isZero();
      // Each of these is driven to a count of its own through this view by the tests of its rule:
      // SlowConsumerTest, OutboundBudgetTest, AuthorizationTest.
      assertThat(stats.droppedSlowCount()).isZero();
      assertThat(stats.droppedBudgetCount()).isZero();
      assertThat(stats.expiredCount()).isZero();
    }
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SseStream.WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within " + SseStream.WAIT_SECONDS + "s");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
