package io.herald.hub.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.auth.Authorization;
import io.herald.core.history.MemoryHistory;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.transport.HistoryTransport;
import io.herald.core.update.Update;
import io.herald.core.update.UpdateRules;
import io.herald.hub.publish.PublishCounters;
import io.herald.hub.publish.PublishService;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry's cluster view: other nodes' subscriptions are learned from their events. */
class SubscriptionRegistryTest {
  @Test
  void learnsRemoteSubscriptionsFromEventsAndForgetsThemOnInactive() throws Exception {
    MemoryHistory history = new MemoryHistory(100);
    HistoryTransport transport = new HistoryTransport(history);
    List<Update> seen = new ArrayList<>();
    transport.dispatchTo(u -> {
      synchronized (seen) {
        seen.add(u);
        seen.notifyAll();
      }
    });
    PublishService publishing = new PublishService(
        transport, new Authorization(new TopicMatcher()), new UpdateRules(10), new PublishCounters());
    try {
      // Node A announces a subscriber through the shared transport...
      SubscriptionRegistry nodeA = new SubscriptionRegistry(true, true, publishing);
      nodeA.added("urn:uuid:remote-1", List.of("https://example.com/x"), "{\"u\":1}");
      // ...and node B, which has no such subscriber, learns it from the event.
      SubscriptionRegistry nodeB = new SubscriptionRegistry(true, true, publishing);
      // A registry whose transport is not shared has no other nodes to learn from.
      SubscriptionRegistry single = new SubscriptionRegistry(true, publishing);
      Update announced = awaitUpdate(seen, 0);
      nodeA.observe(announced); // its own event: no duplicate
      nodeB.observe(announced);
      single.observe(announced);
      assertThat(single.list(null, null)).isEmpty();
      assertThat(nodeA.list(null, null)).hasSize(1);
      assertThat(nodeB.list(null, "urn:uuid:remote-1")).singleElement()
          .satisfies(s -> {
            assertThat(s.topic()).isEqualTo("https://example.com/x");
            assertThat(s.payloadJson()).isEqualTo("{\"u\":1}");
          });

      nodeA.removed("urn:uuid:remote-1");
      nodeB.observe(awaitUpdate(seen, 1));
      assertThat(nodeB.list(null, null)).isEmpty();

      // Ordinary updates and disabled registries are ignored.
      nodeB.observe(new Update("x", List.of("https://example.com/x"), "{}", null, -1, true, 9));
      SubscriptionRegistry off = new SubscriptionRegistry(false, publishing);
      off.observe(announced);
      assertThat(off.list(null, null)).isEmpty();
      assertThat(nodeB.list(null, null)).isEmpty();
    } finally {
      transport.close();
    }
  }

  private static Update awaitUpdate(List<Update> seen, int index) throws InterruptedException {
    synchronized (seen) {
      long deadline = System.currentTimeMillis() + 10_000;
      while (seen.size() <= index && System.currentTimeMillis() < deadline) {
        seen.wait(100);
      }
      return seen.get(index);
    }
  }
}
