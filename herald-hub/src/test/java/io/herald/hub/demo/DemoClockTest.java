package io.herald.hub.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.auth.Authorization;
import io.herald.core.history.MemoryHistory;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.transport.HistoryTransport;
import io.herald.core.update.Update;
import io.herald.core.update.UpdateRules;
import io.herald.hub.publish.PublishCounters;
import io.herald.hub.publish.PublishDraft;
import io.herald.hub.publish.PublishOutcome;
import io.herald.hub.publish.PublishService;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The demo clock publishes through the publish service, with grants for its topic alone. */
class DemoClockTest {
  @Test
  void ticksReachTheTransportThroughTheServiceAndItsGrantsCoverOnlyItsTopic() throws Exception {
    HistoryTransport transport = new HistoryTransport(new MemoryHistory(100));
    LinkedBlockingQueue<Update> dispatched = new LinkedBlockingQueue<>();
    transport.dispatchTo(dispatched::add);
    PublishCounters counters = new PublishCounters();
    PublishService service =
        new PublishService(transport, new Authorization(new TopicMatcher()), new UpdateRules(10), counters);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (DemoClock clock = new DemoClock(service, timer)) {
      Update tick = dispatched.poll(10, TimeUnit.SECONDS);
      assertThat(tick).isNotNull();
      assertThat(tick.topics()).containsExactly(DemoClock.TOPIC);
      assertThat(tick.data()).startsWith("{\"time\":\"");
      assertThat(tick.isPrivate()).isFalse();

      assertThat(service.publish(DemoClock.PUBLISHER, PublishDraft.of(List.of("https://example.com/x"), "{}", false))
          .get(10, TimeUnit.SECONDS))
          .isInstanceOf(PublishOutcome.Forbidden.class);
      assertThat(counters.acceptedCount()).as("the clock is no client").isZero();
    } finally {
      timer.shutdownNow();
      transport.close();
    }
  }
}
