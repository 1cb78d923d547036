package io.herald.core.transport;

import io.herald.core.history.History;
import io.herald.core.history.HistoryException;
import io.herald.core.update.Update;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The single-node transport: updates go into the local {@link History}, then to the listener.
 *
 * <p>One writer thread drains every publish that is waiting, gives the batch consecutive
 * sequences, and appends it to the history in one call (group commit): concurrent publishers
 * share one durable write instead of queueing behind one fsync each. Only after the append
 * returns are the futures completed and the updates dispatched, so nothing is delivered to a
 * subscriber that a restart could forget, and nothing acknowledged is missing from replay.
 */
public final class LocalTransport implements Transport {
  /** Upper bound on one group commit, so one batch's latency stays small under heavy load. */
  private static final int MAX_BATCH = 4096;

  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(LocalTransport.class.getName());

  private final History history;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile UpdateListener listener = update -> {};
  private volatile boolean closed;
  private volatile boolean available = true;
  private long nextSequence;

  private record Pending(Update update, CompletableFuture<Update> done) {}

  public LocalTransport(History history) {
    this.history = history;
    this.nextSequence = history.lastSequence() + 1;
    this.writer = new Thread(this::writeLoop, "herald-writer");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  @Override
  public CompletableFuture<Update> publish(Update update) {
    CompletableFuture<Update> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new TransportUnavailableException("hub is shutting down", null));
      return done;
    }
    queue.add(new Pending(update, done));
    if (closed && !writer.isAlive()) {
      failLeftovers(); // raced with close(): nobody will write it
    }
    return done;
  }

  @Override
  public void listen(UpdateListener listener) {
    this.listener = listener;
  }

  @Override
  public History history() {
    return history;
  }

  @Override
  public boolean isAvailable() {
    return available && !closed;
  }

  @Override
  public long lag() {
    return queue.size();
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>();
    List<Update> updates = new ArrayList<>();
    while (true) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed && queue.isEmpty()) {
            return;
          }
          if (!available && history.recovered()) {
            LOG.info("history available again");
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
      for (int i = 0; i < batch.size(); i++) {
        updates.add(batch.get(i).update().withSequence(base + i));
      }
      try {
        history.append(updates);
        if (!available) {
          LOG.info("history available again");
        }
        available = true;
        nextSequence = base + updates.size();
        UpdateListener l = listener;
        for (int i = 0; i < batch.size(); i++) {
          Update u = updates.get(i);
          batch.get(i).done().complete(u);
          try {
            l.onUpdate(u);
          } catch (RuntimeException e) {
            // A listener fault must not stop the transport; the update is stored and acknowledged.
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
          }
        }
      } catch (HistoryException | RuntimeException e) {
        if (available) {
          LOG.warning("history unavailable, publishes answer 503 until it recovers: " + oneLine(e));
        }
        available = false;
        TransportUnavailableException failure =
            new TransportUnavailableException("history unavailable: " + oneLine(e), e);
        for (Pending p : batch) {
          p.done().completeExceptionally(failure);
        }
      }
      batch.clear();
      updates.clear();
    }
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
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
      p.done().completeExceptionally(new TransportUnavailableException("hub is shutting down", null));
    }
  }
}
