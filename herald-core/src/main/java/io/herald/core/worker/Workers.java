package io.herald.core.worker;

import java.lang.System.Logger.Level;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Named daemon threads and executors for the hub's long-lived work, whose failures nobody can
 * miss: each goes to {@link FatalErrors} (and from there, in {@code herald serve}, to a non-zero
 * exit) instead of ending a thread silently.
 *
 * <p>The rules, by kind of worker:
 * <ul>
 *   <li>A dedicated thread ({@link #thread}) runs a loop others depend on (the writer of the
 *       local transport, the Redis stream reader): anything escaping it, exception or error, is
 *       fatal, because the loop is gone and its callers would wait forever.
 *   <li>A pooled thread ({@link #pool}, {@link #threadFactory}) runs independent tasks: a task's
 *       {@link RuntimeException} is logged and the pool goes on with a fresh thread (one failed
 *       task, not a dead hub); an {@link Error} is fatal, because after an out-of-memory error,
 *       a stack overflow or a {@code ThreadDeath} no shared state can be trusted.
 *   <li>A scheduler ({@link #scheduler}) runs timers: a periodic task that throws anything is
 *       fatal (the executor would silently never run it again), a one-shot task follows the pool
 *       rule. Failures are read from the task's future, where the JDK would otherwise keep them.
 *       Anything escaping the scheduler's thread itself (not a task) is fatal.
 * </ul>
 *
 * <p>JDK only: herald-core knows no Netty or Redis, which use these through thread factories.
 */
public final class Workers {
  private static final System.Logger LOG = System.getLogger(Workers.class.getName());

  private Workers() {}

  /**
   * An unstarted daemon thread named {@code name} running {@code loop}; whatever escapes the loop
   * is reported to {@link FatalErrors}.
   */
  public static Thread thread(String name, Runnable loop) {
    Thread t = new Thread(loop, name);
    t.setDaemon(true);
    t.setUncaughtExceptionHandler(FatalErrors::report);
    return t;
  }

  /**
   * Daemon threads named {@code prefix-1}, {@code prefix-2}, ... for a pool: an {@link Error}
   * escaping a task is fatal, any other exception is logged (the pool replaces the thread).
   */
  public static ThreadFactory threadFactory(String prefix) {
    return factory(prefix, Workers::pooledTaskFailed);
  }

  private static ThreadFactory factory(String prefix, Thread.UncaughtExceptionHandler handler) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setUncaughtExceptionHandler(handler);
      return t;
    };
  }

  /**
   * Threads named {@code prefix-N} for executors that run one endless loop per thread and catch
   * what their tasks throw themselves (Netty's event loops): the loop ending while
   * {@code stopping} is false is fatal, since the connections it served are then dead; anything
   * escaping it is fatal too.
   */
  public static ThreadFactory loopThreadFactory(String prefix, BooleanSupplier stopping) {
    AtomicInteger n = new AtomicInteger();
    return r -> thread(prefix + "-" + n.incrementAndGet(), () -> {
      r.run();
      if (!stopping.getAsBoolean()) {
        throw new IllegalStateException("event loop ended while the hub was running");
      }
    });
  }

  /** A fixed pool of {@code threads} daemon threads named {@code prefix-N}, with the pool rule. */
  public static ExecutorService pool(String prefix, int threads) {
    return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
        threadFactory(prefix)) {
      @Override
      protected void afterExecute(Runnable r, Throwable t) {
        // t != null: thrown by an execute()d task; the dying thread's handler reports it.
        if (t == null) {
          checkFuture(r, false);
        }
      }
    };
  }

  /** A single-thread scheduler named {@code name-1}, with the scheduler rule. */
  public static ScheduledExecutorService scheduler(String name) {
    // Its tasks never throw out of the thread (their futures keep what they threw), so anything
    // that does is the executor itself failing: fatal, whatever it is.
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, factory(name, FatalErrors::report)) {
      @Override
      protected void afterExecute(Runnable r, Throwable t) {
        checkFuture(r, r instanceof RunnableScheduledFuture<?> f && f.isPeriodic());
      }
    };
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  private static void pooledTaskFailed(Thread t, Throwable e) {
    if (e instanceof Error) {
      FatalErrors.report(t, e);
    } else {
      LOG.log(Level.ERROR, "task failed on " + t.getName() + " (the pool goes on): " + e, e);
    }
  }

  /** Reports the failure a finished task left in its future, which nobody else may ever read. */
  private static void checkFuture(Runnable r, boolean periodic) {
    if (!(r instanceof Future<?> f) || !f.isDone() || f.isCancelled()) {
      return;
    }
    try {
      f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (periodic) {
        FatalErrors.report(Thread.currentThread(), cause);
      } else {
        pooledTaskFailed(Thread.currentThread(), cause);
      }
    } catch (CancellationException | InterruptedException e) {
      // cancelled: not a failure; interrupted cannot happen on a done future
    }
  }
}
