package io.herald.core.transport;

import io.herald.core.Reasons;
import io.herald.core.update.Update;
import io.herald.core.worker.Workers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * The group-commit queue a transport stores its publishes through: one writer thread takes every
 * publish waiting, as one batch, and hands the batch to the transport's {@link Store} (one append
 * to a history, one script run in Redis), so concurrent publishers share one write instead of
 * queueing behind one each. The transport says only how to store a batch; the rules every
 * transport must keep live here, once:
 *
 * <ul>
 *   <li><b>Acknowledgement.</b> A publish's future completes only once the store step of its batch
 *       is over, with the answer the store gave it; the answer "stored" is given only if the step
 *       succeeded. So a publisher's 200 always means "stored". A publish the store answered
 *       without writing it ({@link Batch#settle}: a conflict, a retry of an update stored
 *       earlier, a failed look-up) keeps that answer whatever happens to the rest of its batch.
 *   <li><b>Order.</b> Batches are taken in the order publishes were queued, and stored one after
 *       the other; at most {@code maxInFlight} store steps are unfinished at once (more than one
 *       only for a store that pipelines its writes).
 *   <li><b>Bounds.</b> A batch holds at most {@code maxBatch} publishes and, when the transport
 *       weighs them, at most about {@code maxBatchBytes} (the publish that crosses the bound is
 *       the last one taken), so one batch's latency stays small under heavy load.
 *   <li><b>A failed store step</b> (an exception thrown, or its stage failing) fails the
 *       publishes of that batch the store had not settled, with a {@link
 *       TransportUnavailableException} (a 503); the writer goes on with the next batch.
 *   <li><b>A dead writer.</b> Anything else escaping the writer (an {@link Error}: out of memory,
 *       {@code ThreadDeath}) ends it: the publishes of the batch it held, those queued and any made
 *       later fail at once, so no publisher waits forever, and the death goes to the fatal
 *       handler ({@link Workers#thread}), which in {@code herald serve} stops the process.
 *   <li><b>Closing</b> finishes the publishes already queued (the writer stores them, waiting at
 *       most {@link #CLOSE_WAIT_MILLIS} for it, then at most {@code inFlightWait} for store steps
 *       still unfinished), then stops; whatever is left, and any publish made after, fails.
 * </ul>
 *
 * @param <T> what the transport needs to store one publish (the update, and anything it
 *     prepared on the publisher's thread, such as its encoded bytes)
 */
public final class GroupCommit<T> implements AutoCloseable {
  /** How long {@link #close} waits for the writer to store what was queued. */
  public static final long CLOSE_WAIT_MILLIS = 10_000;
  /** How often an idle writer wakes up: to notice a close, and for the transport's idle check. */
  static final long POLL_MILLIS = 100;

  /** How a transport stores one batch. */
  @FunctionalInterface
  public interface Store<T> {
    /**
     * Stores the publishes of {@code batch} that need storing, in order, and gives every publish
     * of it its answer through {@link Batch#settle} or {@link Batch#onceStored}. Runs on the
     * writer thread; it may finish on another one: the returned stage completes when the step is
     * over, exceptionally when it stored nothing (preferably with a {@link
     * TransportUnavailableException} carrying the reason publishers get).
     */
    CompletionStage<?> store(Batch<T> batch);
  }

  /**
   * One batch as the store sees it: the publishes' items, in order, and the answers the store
   * gives them. Filled by the store step, read by the queue when the step is over.
   */
  public static final class Batch<T> {
    private final List<Entry<T>> entries;
    private final Object[] answers; // PublishResult or TransportUnavailableException
    private final boolean[] settled;

    private Batch(List<Entry<T>> entries) {
      this.entries = entries;
      this.answers = new Object[entries.size()];
      this.settled = new boolean[entries.size()];
    }

    public int size() {
      return entries.size();
    }

    /** The item of the {@code i}-th publish of the batch. */
    public T item(int i) {
      return entries.get(i).item();
    }

    /**
     * The answer of publish {@code i}, whatever comes of storing the rest: it needs no write of
     * this batch (a conflict, a retry of an update an earlier batch stored).
     */
    public void settle(int i, PublishResult result) {
      answers[i] = Objects.requireNonNull(result, "result");
      settled[i] = true;
    }

    /** Publish {@code i} fails, whatever comes of storing the rest (its own look-up failed). */
    public void settle(int i, TransportUnavailableException failure) {
      answers[i] = Objects.requireNonNull(failure, "failure");
      settled[i] = true;
    }

    /**
     * The answer of publish {@code i} if the store step succeeds: it depends on this batch's write
     * (stored by it, or a repeat of a publish stored by it). Given only once the step is over;
     * if it fails, so does publish {@code i}.
     */
    public void onceStored(int i, PublishResult result) {
      answers[i] = Objects.requireNonNull(result, "result");
      settled[i] = false;
    }

    /** The updates this batch stored (answered {@link PublishResult.Outcome#STORED}), in order. */
    public List<Update> stored() {
      List<Update> out = new ArrayList<>(answers.length);
      for (int i = 0; i < answers.length; i++) {
        if (!settled[i] && answers[i] instanceof PublishResult r
            && r.outcome() == PublishResult.Outcome.STORED) {
          out.add(r.update());
        }
      }
      return out;
    }

    /** The highest sequence among the answers "stored" or "already stored", or 0. */
    private long lastSequence() {
      long last = 0;
      for (Object a : answers) {
        if (a instanceof PublishResult r && r.outcome() != PublishResult.Outcome.CONFLICT
            && r.update().sequence() > last) {
          last = r.update().sequence();
        }
      }
      return last;
    }

    /** Completes every publish's future: the step ended, with {@code failure} or not. */
    private void answer(TransportUnavailableException failure) {
      for (int i = 0; i < answers.length; i++) {
        CompletableFuture<PublishResult> done = entries.get(i).done();
        Object a = answers[i];
        if (failure != null && !settled[i]) {
          done.completeExceptionally(failure);
        } else if (a instanceof PublishResult r) {
          done.complete(r);
        } else if (a instanceof TransportUnavailableException e) {
          done.completeExceptionally(e);
        } else {
          // A store that forgot one: a bug, but its publisher must not wait forever.
          done.completeExceptionally(new TransportUnavailableException("not stored: no answer", null));
        }
      }
    }
  }

  private record Entry<T>(T item, CompletableFuture<PublishResult> done) {}

  private final Store<T> store;
  private final int maxBatch;
  private final long maxBatchBytes;
  private final ToLongFunction<T> weigher;
  private final int maxInFlight;
  private final long inFlightWaitMillis;
  private final Runnable idle;
  private final Consumer<Batch<T>> afterStored;
  private final LinkedBlockingQueue<Entry<T>> queue = new LinkedBlockingQueue<>();
  private final Semaphore inFlight;
  private final Thread writer;
  private volatile boolean closed;
  /** See {@link #lastStoredSequence()}; written only by whoever finishes a store step. */
  private volatile long lastStored;
  /** Set when the writer died of an Error: nothing will be stored any more. */
  private volatile boolean dead;

  private GroupCommit(Builder<T> b) {
    this.store = b.store;
    this.maxBatch = b.maxBatch;
    this.maxBatchBytes = b.maxBatchBytes;
    this.weigher = b.weigher;
    this.maxInFlight = b.maxInFlight;
    this.inFlightWaitMillis = b.inFlightWait.toMillis();
    this.idle = b.idle;
    this.afterStored = b.afterStored;
    this.inFlight = new Semaphore(maxInFlight);
    this.writer = Workers.thread(b.threadName, this::run);
  }

  /** A queue whose writer thread is named {@code threadName} and stores through {@code store}. */
  public static <T> Builder<T> builder(String threadName, Store<T> store) {
    return new Builder<>(threadName, store);
  }

  /**
   * Queues a publish; the future completes with the store's answer once its batch's store step
   * is over, or fails with {@link TransportUnavailableException} when it will never be stored
   * (closing, a dead writer, a failed store step).
   */
  public CompletableFuture<PublishResult> submit(T item) {
    CompletableFuture<PublishResult> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new TransportUnavailableException("hub is shutting down", null));
      return done;
    }
    queue.add(new Entry<>(item, done));
    if (dead || !writer.isAlive()) {
      failLeftovers(); // raced with close() or the writer's death: nobody will store it
    }
    return done;
  }

  /** Publishes queued and not yet taken into a batch (for metrics). */
  public int queued() {
    return queue.size();
  }

  /** Whether {@link #close} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Whether the writer died: nothing will be stored any more. */
  public boolean isDead() {
    return dead;
  }

  private void run() {
    List<Entry<T>> held = new ArrayList<>();
    try {
      writeBatches(held);
    } catch (Throwable e) {
      // The writer is dying (store failures are handled per batch): fail what it held and what
      // is queued, then let the thread's handler report the death.
      dead = true;
      TransportUnavailableException failure = new TransportUnavailableException(
          "hub is failing: the writer stopped (" + Reasons.oneLine(e) + ")", e);
      for (Entry<T> p : held) {
        p.done().completeExceptionally(failure);
      }
      failLeftovers();
      throw e;
    }
    // Closed, or interrupted: nothing more will be taken from the queue.
    TransportUnavailableException stopped = new TransportUnavailableException("hub is shutting down", null);
    for (Entry<T> p : held) {
      p.done().completeExceptionally(stopped);
    }
    failLeftovers();
  }

  private void writeBatches(List<Entry<T>> held) {
    while (true) {
      try {
        Entry<T> first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed && queue.isEmpty()) {
            return;
          }
          idle.run();
          continue;
        }
        held.add(first);
        drain(held);
        inFlight.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      storeBatch(new Batch<>(List.copyOf(held)));
      held.clear();
    }
  }

  /** Adds what is waiting to {@code batch}, up to the bounds. */
  private void drain(List<Entry<T>> batch) {
    if (weigher == null) {
      queue.drainTo(batch, maxBatch - batch.size());
      return;
    }
    long bytes = weigher.applyAsLong(batch.get(0).item());
    Entry<T> next;
    while (batch.size() < maxBatch && bytes < maxBatchBytes && (next = queue.poll()) != null) {
      batch.add(next);
      bytes += weigher.applyAsLong(next.item());
    }
  }

  /** Runs one store step, holding one in-flight permit until it is over. */
  private void storeBatch(Batch<T> batch) {
    CompletableFuture<?> step;
    try {
      step = store.store(batch).toCompletableFuture();
    } catch (RuntimeException e) {
      step = CompletableFuture.failedFuture(e);
    }
    if (step.isDone()) {
      // On the writer thread: an Error in what follows (the dispatch) ends the writer, as it must.
      finish(batch, step);
    } else {
      CompletableFuture<?> pending = step;
      pending.whenComplete((r, e) -> finish(batch, pending));
    }
  }

  private void finish(Batch<T> batch, CompletableFuture<?> step) {
    inFlight.release();
    TransportUnavailableException failure = null;
    try {
      step.join();
    } catch (CompletionException | CancellationException e) {
      failure = unavailable(e);
    }
    if (failure == null) {
      // Before the answers: whoever learns of an answer finds its sequence here already.
      long last = batch.lastSequence();
      if (last > lastStored) {
        lastStored = last;
      }
    }
    batch.answer(failure);
    if (failure == null) {
      afterStored.accept(batch);
    }
  }

  /**
   * The highest sequence of an update stored through this queue, set before the publishes of its
   * batch are answered: every update a publisher has been answered "stored" for has a sequence
   * at or below it. A subscriber that opens a live-only stream skips through it, so it is not
   * given an update published before it came (whose hand-over to the subscribers' side may
   * still be under way: the answer goes first, so that a 200 never waits for fan-out work).
   */
  public long lastStoredSequence() {
    return lastStored;
  }

  private static TransportUnavailableException unavailable(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof TransportUnavailableException t
        ? t
        : new TransportUnavailableException("store failed: " + Reasons.oneLine(cause), cause);
  }

  /**
   * Finishes the publishes already queued, waits for store steps still unfinished (bounded, see
   * the class comment), then stops the writer; what is left fails.
   */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(CLOSE_WAIT_MILLIS);
      if (inFlight.tryAcquire(maxInFlight, inFlightWaitMillis, TimeUnit.MILLISECONDS)) {
        inFlight.release(maxInFlight);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failLeftovers();
  }

  /** Fails what can no longer be stored, so no publisher waits forever for its answer. */
  private void failLeftovers() {
    Entry<T> p;
    while ((p = queue.poll()) != null) {
      p.done().completeExceptionally(new TransportUnavailableException(
          dead ? "hub is failing: the writer stopped" : "hub is shutting down", null));
    }
  }

  /** Sets a queue's bounds and hooks; {@link #start} makes it and starts its writer. */
  public static final class Builder<T> {
    private final String threadName;
    private final Store<T> store;
    private int maxBatch = 1024;
    private long maxBatchBytes = Long.MAX_VALUE;
    private ToLongFunction<T> weigher;
    private int maxInFlight = 1;
    private Duration inFlightWait = Duration.ZERO;
    private Runnable idle = () -> {};
    private Consumer<Batch<T>> afterStored = b -> {};

    private Builder(String threadName, Store<T> store) {
      this.threadName = Objects.requireNonNull(threadName, "threadName");
      this.store = Objects.requireNonNull(store, "store");
    }

    /** Most publishes in one batch (default 1024). */
    public Builder<T> maxBatch(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxBatch must be at least 1");
      }
      this.maxBatch = n;
      return this;
    }

    /** Most bytes in one batch, each publish weighing what {@code weigher} says (default: unweighed). */
    public Builder<T> maxBatchBytes(long bytes, ToLongFunction<T> weigher) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxBatchBytes must be at least 1");
      }
      this.maxBatchBytes = bytes;
      this.weigher = Objects.requireNonNull(weigher, "weigher");
      return this;
    }

    /**
     * Store steps unfinished at once (default 1), and how long {@link GroupCommit#close} waits for
     * them once the writer stopped (default none: a step that finishes on the writer thread is
     * over when the writer is).
     */
    public Builder<T> maxInFlight(int n, Duration closeWait) {
      if (n < 1) {
        throw new IllegalArgumentException("maxInFlight must be at least 1");
      }
      this.maxInFlight = n;
      this.inFlightWait = Objects.requireNonNull(closeWait, "closeWait");
      return this;
    }

    /** Runs on the writer thread when no publish came for a while (about every 100 ms). */
    public Builder<T> idle(Runnable check) {
      this.idle = Objects.requireNonNull(check, "check");
      return this;
    }

    /**
     * Runs after the futures of a batch stored without failure completed, on the thread that
     * completed them (the writer, for a store that finishes there): a single-node transport
     * dispatches the batch's updates here. After, not before: a publisher's answer must not wait
     * for fan-out work.
     */
    public Builder<T> afterStored(Consumer<Batch<T>> hook) {
      this.afterStored = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /** Makes the queue and starts its writer thread. */
    public GroupCommit<T> start() {
      GroupCommit<T> commits = new GroupCommit<>(this);
      commits.writer.start();
      return commits;
    }
  }
}
