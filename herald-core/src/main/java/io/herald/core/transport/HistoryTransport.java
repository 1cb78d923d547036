package io.herald.core.transport;

import io.herald.core.Reasons;
import io.herald.core.history.History;
import io.herald.core.history.HistoryException;
import io.herald.core.history.NoHistory;
import io.herald.core.history.SplitHistory;
import io.herald.core.update.Update;
import io.herald.core.worker.Workers;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The single-node transport: updates go into the local {@link History}, then to the listener.
 *
 * <p>Publishes are stored through a {@link GroupCommit}: its one writer thread takes every publish
 * that is waiting, this transport gives the batch consecutive sequences and appends it to the
 * history in one call, so concurrent publishers share one durable write instead of queueing
 * behind one fsync each. Only after the append returns are the futures completed and the updates
 * dispatched, so nothing is delivered to a subscriber that a restart could forget, and nothing
 * acknowledged is missing from replay.
 *
 * <p>A storage failure ({@link HistoryException} or another exception from the history) fails the
 * batch with a 503 and the writer goes on; an {@link Error} ends the writer, failing what it held
 * and every publish queued or made later, and reaches the fatal handler ({@link Workers#thread}),
 * which in {@code herald serve} stops the process (the rules of {@link GroupCommit}).
 *
 * <p>Event IDs are unique in the history. The writer is the one place on a node where checking
 * an ID and appending it is atomic: before appending, each update whose ID the publisher chose is
 * looked up in the history ({@link History#find}) and among the batch's earlier updates. An
 * identical update there makes it a retry (answered with the stored update, not stored or
 * dispatched again); a different one a conflict (refused). Hub-generated IDs skip the look-up.
 *
 * <p>The hub's own events (subscription events) are kept apart from application updates, in a
 * bounded ring of their own ({@link SplitHistory}), so that they never push application updates
 * out of the history; {@link #history()} reads both. With a {@link NoHistory} nothing is kept.
 */
public final class HistoryTransport implements Transport {
  /** Upper bound on one group commit, so one batch's latency stays small under heavy load. */
  private static final int MAX_BATCH = 4096;

  private static final System.Logger LOG = System.getLogger(HistoryTransport.class.getName());

  private final History history;
  private final GroupCommit<Pending> commits;
  private volatile UpdateListener listener = update -> {};
  /** Guards {@link #dispatchTo}: set by the first of a call to it or a publish. */
  private final AtomicBoolean listenerFixed = new AtomicBoolean();
  private volatile boolean available = true;
  private long nextSequence; // writer thread only

  private record Pending(Update update, boolean idFromPublisher) {}

  /** A transport over {@code history}, keeping the hub's events apart with default bounds. */
  public HistoryTransport(History history) {
    this(history, SplitHistory.DEFAULT_EVENT_CAPACITY, SplitHistory.DEFAULT_EVENT_BYTES);
  }

  /**
   * A transport over {@code history} whose hub events are kept in a ring of at most {@code
   * eventCapacity} events and {@code eventBytes} bytes.
   */
  public HistoryTransport(History history, int eventCapacity, long eventBytes) {
    this.history = history instanceof NoHistory
        ? history
        : new SplitHistory(history, eventCapacity, eventBytes);
    this.nextSequence = history.lastSequence() + 1;
    this.commits = GroupCommit.builder("herald-writer", this::store)
        .maxBatch(MAX_BATCH)
        .idle(this::checkRecovered)
        .afterStored(this::dispatch)
        .start();
  }

  @Override
  public CompletableFuture<PublishResult> publish(Update update, boolean idFromPublisher) {
    if (!listenerFixed.get()) {
      listenerFixed.set(true);
    }
    return commits.submit(new Pending(update, idFromPublisher));
  }

  @Override
  public void dispatchTo(UpdateListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (!listenerFixed.compareAndSet(false, true)) {
      throw new IllegalStateException("dispatchTo is called once, before the first publish");
    }
    this.listener = listener;
  }

  /** The history replays read: the application history and the hub's events, merged. */
  @Override
  public History history() {
    return history;
  }

  @Override
  public boolean isAvailable() {
    return available && !commits.isClosed() && !commits.isDead();
  }

  @Override
  public long lastStoredSequence() {
    return commits.lastStoredSequence();
  }

  @Override
  public long lag() {
    return commits.queued();
  }

  /** Idle writer: notices a history that recovered by itself (readiness without a publish). */
  private void checkRecovered() {
    if (!available && history.recovered()) {
      LOG.log(Level.INFO, "history available again");
      available = true;
    }
  }

  /**
   * One group commit: sorts the batch ({@link #admit}), gives what is to be stored consecutive
   * sequences and appends it in one call. On the writer thread.
   */
  private CompletionStage<Void> store(GroupCommit.Batch<Pending> batch) {
    List<Integer> toStore = new ArrayList<>();
    List<int[]> echoes = new ArrayList<>(); // {index in batch, index in toStore it repeats}
    admit(batch, toStore, echoes);
    long base = nextSequence;
    List<Update> updates = new ArrayList<>(toStore.size());
    for (int i = 0; i < toStore.size(); i++) {
      updates.add(batch.item(toStore.get(i)).update().withSequence(base + i));
    }
    try {
      if (!updates.isEmpty()) {
        history.append(updates);
      }
    } catch (HistoryException | RuntimeException e) {
      if (available) {
        LOG.log(Level.WARNING,
            "history unavailable, publishes answer 503 until it recovers: " + Reasons.oneLine(e));
      }
      available = false;
      return CompletableFuture.failedFuture(
          new TransportUnavailableException("history unavailable: " + Reasons.oneLine(e), e));
    }
    if (!available) {
      LOG.log(Level.INFO, "history available again");
    }
    available = true;
    nextSequence = base + updates.size();
    for (int i = 0; i < toStore.size(); i++) {
      batch.onceStored(toStore.get(i), PublishResult.stored(updates.get(i)));
    }
    for (int[] echo : echoes) {
      batch.onceStored(echo[0], PublishResult.duplicate(updates.get(echo[1])));
    }
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Sorts a batch: publishes to append go to {@code toStore} (their indexes, in order), repeats
   * of an earlier publish of the same batch to {@code echoes} (answered once that one is stored);
   * conflicts and retries of an update already in the history are settled here. A failed look-up
   * fails only its own publish (503).
   */
  private void admit(GroupCommit.Batch<Pending> batch, List<Integer> toStore, List<int[]> echoes) {
    Map<String, Integer> inBatch = null; // ID -> index in toStore, built once a look-up is needed
    for (int b = 0; b < batch.size(); b++) {
      Pending p = batch.item(b);
      Update u = p.update();
      if (!p.idFromPublisher()) {
        if (inBatch != null) {
          inBatch.put(u.id(), toStore.size());
        }
        toStore.add(b);
        continue;
      }
      if (inBatch == null) {
        inBatch = new HashMap<>();
        for (int i = 0; i < toStore.size(); i++) {
          inBatch.put(batch.item(toStore.get(i)).update().id(), i);
        }
      }
      Integer earlier = inBatch.get(u.id());
      if (earlier != null) {
        if (u.sameContent(batch.item(toStore.get(earlier)).update())) {
          echoes.add(new int[] {b, earlier});
        } else {
          batch.settle(b, PublishResult.conflict(u));
        }
        continue;
      }
      PublishResult known;
      try {
        known = PublishResult.against(u, history.find(u.id()));
      } catch (HistoryException | RuntimeException e) {
        batch.settle(b, new TransportUnavailableException("history unavailable: " + Reasons.oneLine(e), e));
        continue;
      }
      if (known != null) {
        batch.settle(b, known);
        continue;
      }
      inBatch.put(u.id(), toStore.size());
      toStore.add(b);
    }
  }

  /** After a batch's futures completed: hands its stored updates to the listener, in order. */
  private void dispatch(GroupCommit.Batch<Pending> batch) {
    UpdateListener l = listener;
    for (Update u : batch.stored()) {
      try {
        l.onUpdate(u);
      } catch (RuntimeException e) {
        // A listener fault must not stop the transport; the update is stored and acknowledged.
        LOG.log(Level.ERROR, "dispatching update " + u.sequence() + " failed", e);
      }
    }
  }

  /** Finishes the publishes already queued, then stops the writer. The history is not closed. */
  @Override
  public void close() {
    commits.close();
  }
}
