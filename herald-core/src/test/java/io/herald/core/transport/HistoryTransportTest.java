package io.herald.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.history.History;
import io.herald.core.history.HistoryException;
import io.herald.core.history.MemoryHistory;
import io.herald.core.history.ReplayStart;
import io.herald.core.update.Update;
import io.herald.core.worker.FatalErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HistoryTransportTest {
  private static Update update(String id) {
    return new Update(id, List.of("t"), "d", null, -1, false, 0);
  }

  @Test
  void concurrentPublishesGetConsecutiveSequencesAndAreDispatchedInThatOrder() throws Exception {
    MemoryHistory history = new MemoryHistory(10_000);
    HistoryTransport transport = new HistoryTransport(history);
    List<Update> dispatched = new CopyOnWriteArrayList<>();
    transport.dispatchTo(dispatched::add);
    List<CompletableFuture<Update>> acks = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int n = t;
      Thread th = new Thread(() -> {
        for (int i = 0; i < 250; i++) {
          CompletableFuture<Update> f = transport.publish(update("p" + n + "-" + i));
          synchronized (acks) {
            acks.add(f);
          }
        }
      });
      th.start();
      threads.add(th);
    }
    for (Thread th : threads) {
      th.join();
    }
    for (CompletableFuture<Update> f : acks) {
      f.get(10, TimeUnit.SECONDS);
    }
    transport.close();
    assertThat(dispatched).hasSize(2000);
    for (int i = 0; i < dispatched.size(); i++) {
      assertThat(dispatched.get(i).sequence()).isEqualTo(i + 1);
    }
    assertThat(history.lastSequence()).isEqualTo(2000);
    assertThat(history.read(0, Long.MAX_VALUE, 5000)).containsExactlyElementsOf(dispatched);
  }

  @Test
  void aFailingHistoryFailsTheBatchDispatchesNothingAndRecovers() throws Exception {
    FlakyHistory history = new FlakyHistory();
    HistoryTransport transport = new HistoryTransport(history);
    List<Update> dispatched = new CopyOnWriteArrayList<>();
    transport.dispatchTo(dispatched::add);
    history.failing = true;
    CompletableFuture<Update> refused = transport.publish(update("lost"));
    assertThatThrownBy(() -> refused.join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(TransportUnavailableException.class)
        .hasMessageContaining("disk full");
    assertThat(transport.isAvailable()).isFalse();
    history.failing = false;
    Update ok = transport.publish(update("kept")).get(10, TimeUnit.SECONDS);
    assertThat(ok.sequence()).isEqualTo(1); // the refused update used no sequence
    assertThat(transport.isAvailable()).isTrue();
    transport.close();
    assertThat(dispatched).extracting(Update::id).containsExactly("kept");
  }

  @Test
  void publishesAfterCloseFailInsteadOfHanging() {
    HistoryTransport transport = new HistoryTransport(new MemoryHistory(10));
    transport.close();
    assertThatThrownBy(() -> transport.publish(update("late")).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TransportUnavailableException.class);
  }

  /**
   * An Error in the writer (out of memory while appending) must neither strand the publisher nor
   * leave the transport half-alive: the publish fails, later publishes fail at once, and the
   * writer's death is reported once, naming the thread, to the fatal handler.
   */
  @Test
  void anErrorInTheWriterFailsThePublishesItHeldAndIsReportedOnceAsFatal() throws Exception {
    List<String> reports = new CopyOnWriteArrayList<>();
    FatalErrors.Handler previous = FatalErrors.install(
        (thread, cause) -> reports.add(thread.getName() + ": " + cause));
    try {
      FlakyHistory history = new FlakyHistory();
      history.error = true;
      HistoryTransport transport = new HistoryTransport(history);
      CompletableFuture<Update> held = transport.publish(update("held"));
      assertThatThrownBy(() -> held.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(TransportUnavailableException.class);
      CompletableFuture<Update> later = transport.publish(update("later"));
      assertThatThrownBy(() -> later.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(TransportUnavailableException.class);
      assertThat(transport.isAvailable()).isFalse();
      transport.close();
      assertThat(reports).containsExactly("herald-writer: java.lang.OutOfMemoryError: appending");
    } finally {
      FatalErrors.install(previous);
    }
  }

  /** A real in-memory history whose appends can be made to fail, like a full disk. */
  private static Update on(String id, String topic, String data) {
    return new Update(id, List.of(topic), data, null, -1, false, 0);
  }

  @Test
  void aPublisherIdHeldByAnotherUpdateConflictsAndAnIdenticalRetryIsStoredAndDispatchedOnce()
      throws Exception {
    MemoryHistory history = new MemoryHistory(100);
    HistoryTransport transport = new HistoryTransport(history);
    List<Update> dispatched = new CopyOnWriteArrayList<>();
    transport.dispatchTo(dispatched::add);
    PublishResult first = transport.publish(on("b-1", "B", "one"), true).get(10, TimeUnit.SECONDS);
    PublishResult hijack = transport.publish(on("b-1", "A", "one"), true).get(10, TimeUnit.SECONDS);
    PublishResult retry = transport.publish(on("b-1", "B", "one"), true).get(10, TimeUnit.SECONDS);
    transport.close();
    assertThat(first.outcome()).isEqualTo(PublishResult.Outcome.STORED);
    assertThat(hijack.outcome()).isEqualTo(PublishResult.Outcome.CONFLICT);
    assertThat(retry.outcome()).isEqualTo(PublishResult.Outcome.DUPLICATE);
    assertThat(retry.update()).isEqualTo(first.update());
    assertThat(dispatched).containsExactly(first.update());
    assertThat(history.read(0, Long.MAX_VALUE, 10)).containsExactly(first.update());
    assertThat(history.locate("b-1").afterSequence()).isEqualTo(first.update().sequence());
  }

  @Test
  void twoPublishesWithOneIdInTheSameBatchAreCheckedAgainstEachOther() throws Exception {
    GatedHistory history = new GatedHistory();
    HistoryTransport transport = new HistoryTransport(history);
    List<Update> dispatched = new CopyOnWriteArrayList<>();
    transport.dispatchTo(dispatched::add);
    CompletableFuture<PublishResult> gate = transport.publish(on("gate", "t", null), false);
    history.entered.await(10, TimeUnit.SECONDS); // the writer is inside append: the rest queue up
    CompletableFuture<PublishResult> a = transport.publish(on("x", "t", "same"), true);
    CompletableFuture<PublishResult> again = transport.publish(on("x", "t", "same"), true);
    CompletableFuture<PublishResult> other = transport.publish(on("x", "t", "other"), true);
    history.release.countDown();
    gate.get(10, TimeUnit.SECONDS);
    PublishResult stored = a.get(10, TimeUnit.SECONDS);
    assertThat(history.batchSizes).containsExactly(1, 1); // x once: one batch, one append of it
    transport.close();
    assertThat(stored.outcome()).isEqualTo(PublishResult.Outcome.STORED);
    assertThat(again.get().outcome()).isEqualTo(PublishResult.Outcome.DUPLICATE);
    assertThat(again.get().update()).isEqualTo(stored.update());
    assertThat(other.get().outcome()).isEqualTo(PublishResult.Outcome.CONFLICT);
    assertThat(dispatched).extracting(Update::id).containsExactly("gate", "x");
  }

  @Test
  void hubGeneratedIdsCostNoLookUp() throws Exception {
    GatedHistory history = new GatedHistory();
    history.release.countDown();
    HistoryTransport transport = new HistoryTransport(history);
    for (int i = 0; i < 20; i++) {
      transport.publish(on("urn:uuid:" + i, "t", null)).get(10, TimeUnit.SECONDS);
    }
    transport.publish(on("chosen", "t", null), true).get(10, TimeUnit.SECONDS);
    transport.close();
    assertThat(history.finds.get()).isEqualTo(1);
  }

  static Update hubEvent(int i) {
    return new Update("urn:uuid:event-" + i,
        List.of("/.well-known/mercure/subscriptions/t" + i + "/urn%3Auuid%3As"), "{}", null, -1, true, 0);
  }

  /** Issue 14, finding 11: subscription events have their own bound and never evict updates. */
  @Test
  void hubEventsNeverPushApplicationUpdatesOutOfABoundedHistory() throws Exception {
    MemoryHistory applications = new MemoryHistory(10);
    HistoryTransport transport = new HistoryTransport(applications, 50, 1 << 20);
    List<Update> dispatched = new CopyOnWriteArrayList<>();
    transport.dispatchTo(dispatched::add);
    for (int i = 1; i <= 5; i++) {
      transport.publish(on("a" + i, "t", "d" + i), true).get(10, TimeUnit.SECONDS);
    }
    List<CompletableFuture<Update>> events = new ArrayList<>();
    for (int i = 0; i < 1200; i++) { // 12 subscribe requests x 100 topics
      events.add(transport.publish(hubEvent(i)));
    }
    for (CompletableFuture<Update> e : events) {
      e.get(10, TimeUnit.SECONDS);
    }
    transport.publish(on("a6", "t", "d6"), true).get(10, TimeUnit.SECONDS);
    History h = transport.history();
    assertThat(h.locate("a1")).isEqualTo(new ReplayStart(1, "a1"));
    List<Update> after = h.read(1, Long.MAX_VALUE, 1000);
    assertThat(after).extracting(Update::id).startsWith("a2", "a3", "a4", "a5").endsWith("a6").hasSize(4 + 50 + 1);
    assertThat(after.get(4).id()).isEqualTo("urn:uuid:event-1150");
    // Pages merge both parts in sequence order, from an event's ID too.
    List<Update> paged = new ArrayList<>();
    long from = h.locate("urn:uuid:event-1190").afterSequence();
    for (List<Update> page; !(page = h.read(from, Long.MAX_VALUE, 3)).isEmpty(); from = page.get(page.size() - 1).sequence()) {
      paged.addAll(page);
    }
    assertThat(paged).extracting(Update::id).hasSize(10).endsWith("urn:uuid:event-1199", "a6");
    assertThat(h.lastEventId()).isEqualTo("a6");
    assertThat(h.find("urn:uuid:event-1199")).isNotNull();
    assertThat(applications.read(0, Long.MAX_VALUE, 100)).extracting(Update::id)
        .containsExactly("a1", "a2", "a3", "a4", "a5", "a6");
    transport.close();
    assertThat(dispatched).hasSize(1206); // everything is delivered live, stored or not
  }

  /** A memory history whose first append waits for {@link #release}; counts look-ups and appends. */
  private static final class GatedHistory extends ForwardingHistory {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger finds = new AtomicInteger();
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

    @Override
    public void append(List<Update> batch) {
      entered.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      batchSizes.add(batch.size());
      delegate.append(batch);
    }

    @Override
    public Update find(String eventId) {
      finds.incrementAndGet();
      return delegate.find(eventId);
    }
  }

  private static final class FlakyHistory extends ForwardingHistory {
    volatile boolean failing;
    volatile boolean error;

    @Override
    public void append(List<Update> batch) throws HistoryException {
      if (error) {
        throw new OutOfMemoryError("appending");
      }
      if (failing) {
        throw new HistoryException("disk full");
      }
      delegate.append(batch);
    }
  }

  @Test
  void everyAnsweredUpdateIsAtOrBelowTheLastStoredSequenceWhenItsAnswerIsGiven() throws Exception {
    List<CompletableFuture<Boolean>> covered = new ArrayList<>();
    try (HistoryTransport transport = new HistoryTransport(new MemoryHistory(100))) {
      transport.dispatchTo(u -> {});
      assertThat(transport.lastStoredSequence()).isZero();
      for (int i = 0; i < 20; i++) {
        // Observed on the thread that completes the answer, at the moment it is given.
        covered.add(transport.publish(update("u" + i), true)
            .thenApply(r -> transport.lastStoredSequence() >= r.update().sequence()));
      }
      for (CompletableFuture<Boolean> c : covered) {
        assertThat(c.get(5, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(transport.lastStoredSequence()).isEqualTo(20);
      // A retry of a stored update and a conflict store nothing: the mark stays.
      transport.publish(update("u3"), true).get(5, TimeUnit.SECONDS);
      assertThat(transport.lastStoredSequence()).isEqualTo(20);
    }
  }

  @Test
  void theListenerIsSetOnceBeforeTheFirstPublish() throws Exception {
    MemoryHistory history = new MemoryHistory(10);
    try (HistoryTransport transport = new HistoryTransport(history)) {
      List<Update> dispatched = new CopyOnWriteArrayList<>();
      transport.dispatchTo(dispatched::add);
      assertThatThrownBy(() -> transport.dispatchTo(u -> {}))
          .isInstanceOf(IllegalStateException.class);
      transport.publish(update("a")).get(10, TimeUnit.SECONDS);
      assertThat(dispatched).extracting(Update::id).containsExactly("a");
    }
    try (HistoryTransport late = new HistoryTransport(history)) {
      late.publish(update("b")).get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> late.dispatchTo(u -> {}))
          .as("an update accepted with no listener reached no one")
          .isInstanceOf(IllegalStateException.class);
    }
  }

  /** Data line breaks are normalised when an update is made: a CRLF retry of an LF publish is a retry. */
  @Test
  void aRetryWithCrlfDataOfAnLfPublishIsADuplicateNotAConflict() throws Exception {
    try (HistoryTransport transport = new HistoryTransport(new MemoryHistory(10))) {
      List<Update> dispatched = new CopyOnWriteArrayList<>();
      transport.dispatchTo(dispatched::add);
      Update lf = new Update("mine", List.of("t"), "one\ntwo", null, -1, false, 0);
      Update crlf = new Update("mine", List.of("t"), "one\r\ntwo", null, -1, false, 0);
      PublishResult first = transport.publish(lf, true).get(10, TimeUnit.SECONDS);
      PublishResult again = transport.publish(crlf, true).get(10, TimeUnit.SECONDS);
      assertThat(first.outcome()).isEqualTo(PublishResult.Outcome.STORED);
      assertThat(again.outcome()).isEqualTo(PublishResult.Outcome.DUPLICATE);
      assertThat(again.update()).isEqualTo(first.update());
      // The same, whether or not both fall into one group commit.
      CompletableFuture<PublishResult> a = transport.publish(
          new Update("both", List.of("t"), "x\ry", null, -1, false, 0), true);
      CompletableFuture<PublishResult> b = transport.publish(
          new Update("both", List.of("t"), "x\ny", null, -1, false, 0), true);
      assertThat(b.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(PublishResult.Outcome.DUPLICATE);
      assertThat(a.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(PublishResult.Outcome.STORED);
      transport.close(); // the writer has dispatched all it stored
      assertThat(dispatched).extracting(Update::data).containsExactly("one\ntwo", "x\ny");
    }
  }

  /** A memory history of 100 updates that the test histories above wrap, adding what they test. */
  private abstract static class ForwardingHistory implements History {
    final MemoryHistory delegate = new MemoryHistory(100);

    @Override
    public void append(List<Update> batch) throws HistoryException {
      delegate.append(batch);
    }

    @Override
    public long lastSequence() {
      return delegate.lastSequence();
    }

    @Override
    public ReplayStart locate(String lastEventId) {
      return delegate.locate(lastEventId);
    }

    @Override
    public Update find(String eventId) {
      return delegate.find(eventId);
    }

    @Override
    public List<Update> read(long afterSequence, long upToSequence, int limit) {
      return delegate.read(afterSequence, upToSequence, limit);
    }

    @Override
    public String lastEventId() {
      return delegate.lastEventId();
    }

    @Override
    public void close() {}
  }
}
