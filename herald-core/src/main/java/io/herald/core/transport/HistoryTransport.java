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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The single-node transport: updates go into the local {@link History}, then to the listener.
 *
 * <p>One writer thread drains every publish that is waiting, gives the batch consecutive
 * sequences, and appends it to the history in one call (group commit): concurrent publishers
 * share one durable write instead of queueing behind one fsync each. Only after the append
 * returns are the futures completed and the updates dispatched, so nothing is delivered to a
 * subscriber that a restart could forget, and nothing acknowledged is missing from replay.
 *
 * <p>A storage failure ({@link HistoryException} or another exception from the history) fails the
 * batch with a 503 and the writer goes on. Anything else escaping the loop (an {@link Error}: out
 * of memory, {@code ThreadDeath}) ends the writer: the publishes it held and any queued or made
 * later fail at once, so no publisher waits forever, and the thread's death goes to the fatal
 * handler ({@link Workers#thread}), which in {@code herald serve} stops the process.
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
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile UpdateListener listener = update -> {};
  /** Guards {@link #dispatchTo}: set by the first of a call to it or a publish. */
  private final AtomicBoolean listenerFixed = new AtomicBoolean();
  private volatile boolean closed;
  private volatile boolean available = true;
  /** Set when the writer died of an Error: nothing will be written any more. */
  private volatile boolean dead;
  private long nextSequence;

  private record Pending(Update update, boolean idFromPublisher, CompletableFuture<PublishResult> done) {}

  /** A publish of the batch that repeats an earlier one of the same batch, stored at {@code index}. */
  private record Echo(Pending pending, int index) {}

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
    this.writer = Workers.thread("herald-writer", this::writeLoop);
    this.writer.start();
  }

  @Override
  public CompletableFuture<PublishResult> publish(Update update, boolean idFromPublisher) {
    if (!listenerFixed.get()) {
      listenerFixed.set(true);
    }
    CompletableFuture<PublishResult> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new TransportUnavailableException("hub is shutting down", null));
      return done;
    }
    queue.add(new Pending(update, idFromPublisher, done));
    if (dead || (closed && !writer.isAlive())) {
      failLeftovers(); // raced with close() or the writer's death: nobody will write it
    }
    return done;
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
    return available && !closed && !dead;
  }

  @Override
  public long lag() {
    return queue.size();
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>();
    try {
      writeBatches(batch);
    } catch (Throwable e) {
      // The writer is dying (an Error; storage failures are handled per batch): fail what it
      // held and what is queued, then let the thread's handler report the death.
      dead = true;
      available = false;
      TransportUnavailableException failure =
          new TransportUnavailableException("hub is failing: the writer stopped (" + Reasons.oneLine(e) + ")", e);
      for (Pending p : batch) {
        p.done().completeExceptionally(failure);
      }
      failLeftovers();
      throw e;
    }
  }

  private void writeBatches(List<Pending> batch) {
    List<Pending> toStore = new ArrayList<>();
    List<Echo> echoes = new ArrayList<>();
    List<Update> updates = new ArrayList<>();
    while (true) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed && queue.isEmpty()) {
            return;
          }
          if (!available && history.recovered()) {
            LOG.log(Level.INFO, "history available again");
            available = true;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long base = nextSequence;
      admit(batch, toStore, echoes);
      for (int i = 0; i < toStore.size(); i++) {
        updates.add(toStore.get(i).update().withSequence(base + i));
      }
      try {
        if (!updates.isEmpty()) {
          history.append(updates);
        }
        if (!available) {
          LOG.log(Level.INFO, "history available again");
        }
        available = true;
        nextSequence = base + updates.size();
        UpdateListener l = listener;
        for (Echo echo : echoes) {
          echo.pending().done().complete(PublishResult.duplicate(updates.get(echo.index())));
        }
        for (int i = 0; i < toStore.size(); i++) {
          Update u = updates.get(i);
          toStore.get(i).done().complete(PublishResult.stored(u));
          try {
            l.onUpdate(u);
          } catch (RuntimeException e) {
            // A listener fault must not stop the transport; the update is stored and acknowledged.
            LOG.log(Level.ERROR, "dispatching update " + u.sequence() + " failed", e);
          }
        }
      } catch (HistoryException | RuntimeException e) {
        if (available) {
          LOG.log(Level.WARNING,
              "history unavailable, publishes answer 503 until it recovers: " + Reasons.oneLine(e));
        }
        available = false;
        TransportUnavailableException failure =
            new TransportUnavailableException("history unavailable: " + Reasons.oneLine(e), e);
        for (Pending p : toStore) {
          p.done().completeExceptionally(failure);
        }
        for (Echo echo : echoes) {
          echo.pending().done().completeExceptionally(failure);
        }
      }
      batch.clear();
      toStore.clear();
      echoes.clear();
      updates.clear();
    }
  }

  /**
   * Sorts a drained batch: publishes to append go to {@code toStore} (in order), repeats of an
   * earlier publish of the same batch to {@code echoes} (answered once that one is stored);
   * conflicts and retries of an update already in the history are answered here. A failed
   * look-up fails only its own publish (503).
   */
  private void admit(List<Pending> batch, List<Pending> toStore, List<Echo> echoes) {
    Map<String, Integer> inBatch = null; // ID -> index in toStore, built once a look-up is needed
    for (Pending p : batch) {
      Update u = p.update();
      if (!p.idFromPublisher()) {
        if (inBatch != null) {
          inBatch.put(u.id(), toStore.size());
        }
        toStore.add(p);
        continue;
      }
      if (inBatch == null) {
        inBatch = new HashMap<>();
        for (int i = 0; i < toStore.size(); i++) {
          inBatch.put(toStore.get(i).update().id(), i);
        }
      }
      Integer earlier = inBatch.get(u.id());
      if (earlier != null) {
        if (u.sameContent(toStore.get(earlier).update())) {
          echoes.add(new Echo(p, earlier));
        } else {
          p.done().complete(PublishResult.conflict(u));
        }
        continue;
      }
      PublishResult known;
      try {
        known = PublishResult.against(u, history.find(u.id()));
      } catch (HistoryException | RuntimeException e) {
        p.done().completeExceptionally(
            new TransportUnavailableException("history unavailable: " + Reasons.oneLine(e), e));
        continue;
      }
      if (known != null) {
        p.done().complete(known);
        continue;
      }
      inBatch.put(u.id(), toStore.size());
      toStore.add(p);
    }
  }

  /** Finishes the publishes already queued, then stops the writer. The history is not closed. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failLeftovers();
  }

  /** Fails what can no longer be written, so no publisher waits forever for its answer. */
  private void failLeftovers() {
    Pending p;
    while ((p = queue.poll()) != null) {
      p.done().completeExceptionally(new TransportUnavailableException(
          dead ? "hub is failing: the writer stopped" : "hub is shutting down", null));
    }
  }
}
