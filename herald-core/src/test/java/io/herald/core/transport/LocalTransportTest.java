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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LocalTransportTest {
  private static Update update(String id) {
    return new Update(id, List.of("t"), "d", null, -1, false, 0);
  }

  @Test
  void concurrentPublishesGetConsecutiveSequencesAndAreDispatchedInThatOrder() throws Exception {
    MemoryHistory history = new MemoryHistory(10_000);
    LocalTransport transport = new LocalTransport(history);
    List<Update> dispatched = new CopyOnWriteArrayList<>();
    transport.listen(dispatched::add);
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
    LocalTransport transport = new LocalTransport(history);
    List<Update> dispatched = new CopyOnWriteArrayList<>();
    transport.listen(dispatched::add);
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
    LocalTransport transport = new LocalTransport(new MemoryHistory(10));
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
      LocalTransport transport = new LocalTransport(history);
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
  private static final class FlakyHistory implements History {
    private final MemoryHistory delegate = new MemoryHistory(100);
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

    @Override
    public long lastSequence() {
      return delegate.lastSequence();
    }

    @Override
    public ReplayStart locate(String lastEventId) {
      return delegate.locate(lastEventId);
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
