package io.herald.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.update.Update;
import io.herald.core.worker.FatalErrors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The group-commit queue alone, with a store made for each test: real writer threads, every wait
 * bounded. Items are strings; a stored item's answer is an update with that ID.
 */
class GroupCommitTest {
  private static final long WAIT_SECONDS = 10;
  private final List<GroupCommit<String>> open = new ArrayList<>();

  @AfterEach
  void closeAll() {
    open.forEach(GroupCommit::close);
  }

  private static PublishResult storedAs(String item, long sequence) {
    return PublishResult.stored(new Update(item, List.of("t"), null, null, -1, false, sequence));
  }

  /** A store that records each batch's items and answers every one "stored", after {@code gate}. */
  private static final class RecordingStore implements GroupCommit.Store<String> {
    final List<List<String>> batches = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch gate;
    final AtomicInteger sequence = new AtomicInteger();

    RecordingStore(boolean gated) {
      gate = new CountDownLatch(gated ? 1 : 0);
    }

    @Override
    public CompletionStage<?> store(GroupCommit.Batch<String> batch) {
      entered.countDown();
      await(gate);
      List<String> items = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        items.add(batch.item(i));
        batch.onceStored(i, storedAs(batch.item(i), sequence.incrementAndGet()));
      }
      batches.add(items);
      return CompletableFuture.completedFuture(null);
    }
  }

  private GroupCommit<String> start(GroupCommit.Builder<String> b) {
    GroupCommit<String> commits = b.start();
    open.add(commits);
    return commits;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static PublishResult answer(CompletableFuture<PublishResult> f) throws Exception {
    return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletableFuture<PublishResult> f) {
    try {
      f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("no answer: " + e);
    }
    throw new AssertionError("answered, not failed");
  }

  @Test
  void whatQueuesWhileABatchIsStoredIsTheNextBatchInOrderUpToMaxBatch() throws Exception {
    RecordingStore store = new RecordingStore(true);
    GroupCommit<String> commits = start(GroupCommit.builder("test-writer", store).maxBatch(3));
    List<CompletableFuture<PublishResult>> acks = new ArrayList<>();
    acks.add(commits.submit("p0"));
    await(store.entered); // the writer is storing p0: the rest queue up
    for (int i = 1; i <= 7; i++) {
      acks.add(commits.submit("p" + i));
    }
    assertThat(commits.queued()).isEqualTo(7);
    store.gate.countDown();
    for (int i = 0; i < acks.size(); i++) {
      assertThat(answer(acks.get(i))).isEqualTo(storedAs("p" + i, i + 1));
    }
    assertThat(store.batches).containsExactly(
        List.of("p0"), List.of("p1", "p2", "p3"), List.of("p4", "p5", "p6"), List.of("p7"));
  }

  @Test
  void aWeighedBatchEndsWithThePublishThatCrossesMaxBatchBytes() throws Exception {
    RecordingStore store = new RecordingStore(true);
    GroupCommit<String> commits = start(GroupCommit.builder("test-writer", store)
        .maxBatch(100)
        .maxBatchBytes(10, String::length));
    CompletableFuture<PublishResult> first = commits.submit("gate");
    await(store.entered);
    List<CompletableFuture<PublishResult>> acks = new ArrayList<>();
    for (String s : List.of("aaaa", "bbbb", "cccc", "dddd", "eeeeeeeeeeee", "f")) {
      acks.add(commits.submit(s));
    }
    store.gate.countDown();
    answer(first);
    for (CompletableFuture<PublishResult> a : acks) {
      answer(a);
    }
    // 4 + 4 < 10, so a third is taken (12: over); a single publish over the bound is a batch alone.
    assertThat(store.batches).containsExactly(List.of("gate"), List.of("aaaa", "bbbb", "cccc"),
        List.of("dddd", "eeeeeeeeeeee"), List.of("f"));
  }

  @Test
  void aFailedStoreStepFailsOnlyItsBatchKeepsWhatWasSettledAndTheWriterGoesOn() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    GroupCommit.Store<String> store = batch -> {
      entered.countDown();
      await(gate);
      for (int i = 0; i < batch.size(); i++) {
        String item = batch.item(i);
        if (item.startsWith("conflict")) {
          batch.settle(i, PublishResult.conflict(storedAs(item, 0).update()));
        } else {
          batch.onceStored(i, storedAs(item, 1));
        }
      }
      if (batch.item(0).equals("throws")) {
        throw new IllegalStateException("disk on fire\nsecond line");
      }
      if (batch.item(0).equals("fails")) {
        return CompletableFuture.failedFuture(new TransportUnavailableException("history unavailable: full", null));
      }
      return CompletableFuture.completedFuture(null);
    };
    GroupCommit<String> commits = start(GroupCommit.builder("test-writer", store));
    CompletableFuture<PublishResult> thrown = commits.submit("throws");
    await(entered);
    CompletableFuture<PublishResult> sameBatch = commits.submit("x");
    CompletableFuture<PublishResult> settled = commits.submit("conflict-1");
    gate.countDown();
    assertThat(failure(thrown)).isInstanceOf(TransportUnavailableException.class)
        .hasMessage("store failed: disk on fire");
    // The second batch: "x" and "conflict-1" were queued together behind "throws".
    assertThat(answer(sameBatch)).isEqualTo(storedAs("x", 1));
    assertThat(answer(settled).outcome()).isEqualTo(PublishResult.Outcome.CONFLICT);

    CompletableFuture<PublishResult> failed = commits.submit("fails");
    assertThat(failure(failed)).isInstanceOf(TransportUnavailableException.class)
        .hasMessage("history unavailable: full");
    assertThat(answer(commits.submit("after"))).isEqualTo(storedAs("after", 1));
    assertThat(commits.isDead()).isFalse();
  }

  @Test
  void aSettledAnswerOutlivesAFailedBatchAndAStoredOneDoesNot() throws Exception {
    RecordingStore gateStore = new RecordingStore(true);
    GroupCommit<String> commits = start(GroupCommit.builder("test-writer", batch -> {
      if (batch.item(0).equals("gate")) {
        return gateStore.store(batch);
      }
      batch.settle(0, PublishResult.conflict(storedAs(batch.item(0), 0).update()));
      batch.onceStored(1, storedAs(batch.item(1), 2));
      return CompletableFuture.failedFuture(new TransportUnavailableException("no room", null));
    }));
    CompletableFuture<PublishResult> gate = commits.submit("gate");
    await(gateStore.entered);
    CompletableFuture<PublishResult> conflict = commits.submit("conflict");
    CompletableFuture<PublishResult> stored = commits.submit("stored");
    gateStore.gate.countDown(); // the two form the next batch
    answer(gate);
    assertThat(answer(conflict).outcome()).isEqualTo(PublishResult.Outcome.CONFLICT);
    assertThat(failure(stored)).isInstanceOf(TransportUnavailableException.class).hasMessage("no room");
  }

  @Test
  void anErrorKillsTheWriterAndFailsWhatItHeldWhatIsQueuedAndWhatComesLaterAtOnce() throws Exception {
    List<String> reports = new CopyOnWriteArrayList<>();
    FatalErrors.Handler previous = FatalErrors.install(
        (thread, cause) -> reports.add(thread.getName() + ": " + cause));
    try {
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch gate = new CountDownLatch(1);
      GroupCommit<String> commits = start(GroupCommit.builder("test-writer", batch -> {
        entered.countDown();
        await(gate);
        throw new OutOfMemoryError("storing");
      }));
      CompletableFuture<PublishResult> held = commits.submit("held");
      await(entered);
      CompletableFuture<PublishResult> queued = commits.submit("queued");
      gate.countDown();
      assertThat(failure(held)).isInstanceOf(TransportUnavailableException.class)
          .hasMessage("hub is failing: the writer stopped (storing)")
          .hasCauseInstanceOf(OutOfMemoryError.class);
      assertThat(failure(queued)).isInstanceOf(TransportUnavailableException.class)
          .hasMessage("hub is failing: the writer stopped");
      assertThat(commits.isDead()).isTrue();
      CompletableFuture<PublishResult> later = commits.submit("later");
      assertThat(later).as("failed at once, not after a wait").isCompletedExceptionally();
      assertThat(failure(later)).hasMessage("hub is failing: the writer stopped");
      commits.close();
      assertThat(reports).containsExactly("test-writer: java.lang.OutOfMemoryError: storing");
    } finally {
      FatalErrors.install(previous);
    }
  }

  @Test
  void closeFinishesTheQueuedPublishesThenRefusesNewOnes() throws Exception {
    RecordingStore store = new RecordingStore(true);
    GroupCommit<String> commits = start(GroupCommit.builder("test-writer", store).maxBatch(2));
    List<CompletableFuture<PublishResult>> acks = new ArrayList<>();
    acks.add(commits.submit("p0"));
    await(store.entered);
    for (int i = 1; i <= 4; i++) {
      acks.add(commits.submit("p" + i));
    }
    Thread closer = new Thread(commits::close, "closer");
    closer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!commits.isClosed() && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // until the closer has begun: nothing more is accepted
    }
    CompletableFuture<PublishResult> tooLate = commits.submit("late");
    assertThat(tooLate).isCompletedExceptionally();
    assertThat(failure(tooLate)).hasMessage("hub is shutting down");
    store.gate.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    assertThat(closer.isAlive()).isFalse();
    for (int i = 0; i < acks.size(); i++) {
      assertThat(acks.get(i)).as("p%d, queued before close", i).isDone();
      assertThat(answer(acks.get(i))).isEqualTo(storedAs("p" + i, i + 1));
    }
  }

  @Test
  void aPublishTheStoreForgotIsFailedNotLeftWaiting() throws Exception {
    GroupCommit<String> commits = start(GroupCommit.builder("test-writer",
        batch -> CompletableFuture.completedFuture(null)));
    assertThat(failure(commits.submit("forgotten"))).isInstanceOf(TransportUnavailableException.class)
        .hasMessage("not stored: no answer");
  }

  /**
   * A store that finishes elsewhere (as Redis answers on its own threads): answers come when its
   * step completes, at most {@code maxInFlight} steps are unfinished at once, and close waits for
   * them.
   */
  @Test
  void asynchronousStepsAreBoundedInFlightAndAnsweredWhenTheyComplete() throws Exception {
    BlockingQueue<CompletableFuture<Void>> steps = new LinkedBlockingQueue<>();
    AtomicInteger unfinished = new AtomicInteger();
    AtomicInteger mostUnfinished = new AtomicInteger();
    Map<String, CompletableFuture<PublishResult>> acks = new ConcurrentHashMap<>();
    List<String> afterStored = new CopyOnWriteArrayList<>();
    GroupCommit<String> commits = start(GroupCommit.builder("test-writer", (GroupCommit.Batch<String> batch) -> {
      mostUnfinished.accumulateAndGet(unfinished.incrementAndGet(), Math::max);
      CompletableFuture<Void> step = new CompletableFuture<>();
      steps.add(step);
      return step.thenRun(() -> batch.onceStored(0, storedAs(batch.item(0), 1)));
    }).maxBatch(1).maxInFlight(2, Duration.ofSeconds(WAIT_SECONDS)).afterStored(batch ->
        // The futures are complete by the time the hook runs.
        afterStored.add(batch.item(0) + (acks.get(batch.item(0)).isDone() ? "" : " before its answer"))));
    for (int i = 0; i < 6; i++) {
      acks.put("p" + i, commits.submit("p" + i));
    }
    // Two steps start; the third waits for a permit.
    CompletableFuture<Void> s0 = steps.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    CompletableFuture<Void> s1 = steps.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(s0).isNotNull();
    assertThat(s1).isNotNull();
    assertThat(acks.get("p0")).as("not answered before its step is over").isNotDone();
    assertThat(acks.get("p1")).isNotDone();
    unfinished.decrementAndGet();
    s0.complete(null);
    assertThat(answer(acks.get("p0"))).isEqualTo(storedAs("p0", 1));
    unfinished.decrementAndGet();
    s1.complete(null);
    for (int i = 2; i < 6; i++) {
      CompletableFuture<Void> step = steps.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(step).as("step %d", i).isNotNull();
      unfinished.decrementAndGet();
      step.complete(null);
    }
    for (int i = 0; i < 6; i++) {
      assertThat(answer(acks.get("p" + i))).isEqualTo(storedAs("p" + i, 1));
    }
    assertThat(mostUnfinished.get()).isEqualTo(2);
    assertThat(afterStored).containsExactlyInAnyOrder("p0", "p1", "p2", "p3", "p4", "p5");
  }

  @Test
  void anIdleWriterRunsTheIdleCheck() {
    CountDownLatch idle = new CountDownLatch(2);
    start(GroupCommit.builder("test-writer", (GroupCommit.Batch<String> b) -> CompletableFuture.completedFuture(null))
        .idle(idle::countDown));
    await(idle);
  }

}
