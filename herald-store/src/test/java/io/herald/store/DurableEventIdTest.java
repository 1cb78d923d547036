package io.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.transport.HistoryTransport;
import io.herald.core.transport.PublishResult;
import io.herald.core.transport.PublishResult.Outcome;
import io.herald.core.update.Update;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event IDs are unique in the durable history (issue 14, finding 6), across restarts too: the
 * writer looks a publisher's ID up in the RocksDB ID index before appending. And the hub's own
 * events never push application updates out of it (finding 11).
 */
class DurableEventIdTest {
  @TempDir Path dir;

  private static Update on(String id, String topic, String data) {
    return new Update(id, List.of(topic), data, null, -1, false, 0);
  }

  private static PublishResult publish(HistoryTransport t, Update u) throws Exception {
    return t.publish(u, true).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aTakenIdConflictsAndARetryIsStoredOnceEvenAfterARestart() throws Exception {
    Path data = dir.resolve("data");
    Update stored;
    List<Update> dispatched = new CopyOnWriteArrayList<>();
    try (DurableHistory history = DurableHistory.open(data, StoreOptions.defaults());
        HistoryTransport transport = new HistoryTransport(history)) {
      transport.dispatchTo(dispatched::add);
      stored = publish(transport, on("b-1", "B", "one")).update();
      publish(transport, on("b-2", "B", "two"));
      assertThat(publish(transport, on("b-1", "A", "one")).outcome()).isEqualTo(Outcome.CONFLICT);
      PublishResult retry = publish(transport, on("b-1", "B", "one"));
      assertThat(retry.outcome()).isEqualTo(Outcome.DUPLICATE);
      assertThat(retry.update()).isEqualTo(stored);
    }
    assertThat(dispatched).extracting(Update::id).containsExactly("b-1", "b-2");
    try (DurableHistory history = DurableHistory.open(data, StoreOptions.defaults());
        HistoryTransport transport = new HistoryTransport(history)) {
      assertThat(publish(transport, on("b-1", "A", "one")).outcome()).isEqualTo(Outcome.CONFLICT);
      assertThat(publish(transport, on("b-1", "B", "one")).update()).isEqualTo(stored);
      assertThat(history.locate("b-1").afterSequence()).isEqualTo(stored.sequence());
      assertThat(history.read(0, Long.MAX_VALUE, 10)).extracting(Update::id).containsExactly("b-1", "b-2");
    }
  }

  @Test
  void anIdWhoseUpdateWasPrunedMayBeUsedAgain() throws Exception {
    try (DurableHistory history =
            DurableHistory.open(dir.resolve("data"), StoreOptions.defaults().withMaxCount(2));
        HistoryTransport transport = new HistoryTransport(history)) {
      publish(transport, on("old", "t", "1"));
      publish(transport, on("n-1", "t", null));
      publish(transport, on("n-2", "t", null));
      assertThat(history.find("old")).isNull();
      PublishResult reused = publish(transport, on("old", "other", "2"));
      assertThat(reused.outcome()).isEqualTo(Outcome.STORED);
      assertThat(history.find("old")).isEqualTo(reused.update());
    }
  }

  @Test
  void subscriptionEventsNeverPushApplicationUpdatesOut() throws Exception {
    Path data = dir.resolve("data");
    StoreOptions ten = StoreOptions.defaults().withMaxCount(10);
    try (DurableHistory history = DurableHistory.open(data, ten);
        HistoryTransport transport = new HistoryTransport(history, 50, 1 << 20)) {
      for (int i = 1; i <= 5; i++) {
        publish(transport, on("a" + i, "t", "d" + i));
      }
      List<java.util.concurrent.CompletableFuture<Update>> events = new java.util.ArrayList<>();
      for (int i = 0; i < 1200; i++) { // 12 subscribe requests x 100 topics
        events.add(transport.publish(new Update("urn:uuid:event-" + i,
            List.of("/.well-known/mercure/subscriptions/t" + i + "/s"), "{}", null, -1, true, 0)));
      }
      for (var e : events) {
        e.get(10, TimeUnit.SECONDS);
      }
      publish(transport, on("a6", "t", "d6"));
      assertThat(transport.history().locate("a1").isEarliest()).isFalse();
      assertThat(transport.history().read(transport.history().locate("a1").afterSequence(), Long.MAX_VALUE, 1000))
          .extracting(Update::id).startsWith("a2", "a3", "a4", "a5").endsWith("a6").hasSize(55);
      assertThat(history.read(0, Long.MAX_VALUE, 1000)).extracting(Update::id)
          .containsExactly("a1", "a2", "a3", "a4", "a5", "a6");
      for (int i = 7; i <= 20; i++) {
        publish(transport, on("a" + i, "t", null));
      }
    }
    // The store kept its count bound over application updates, gaps and all, across a restart.
    try (DurableHistory history = DurableHistory.open(data, ten);
        HistoryTransport transport = new HistoryTransport(history)) {
      assertThat(transport.history().read(0, Long.MAX_VALUE, 1000)).extracting(Update::id)
          .containsExactly("a11", "a12", "a13", "a14", "a15", "a16", "a17", "a18", "a19", "a20");
      assertThat(publish(transport, on("a21", "t", null)).update().sequence()).isEqualTo(1221);
    }
  }
}
