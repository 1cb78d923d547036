package io.herald.hub.server;

import io.herald.core.worker.FatalErrors;
import io.herald.core.worker.Workers;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Notices a Netty event loop that stopped while the hub runs, and reports it as fatal.
 *
 * <p>Netty catches what a handler or a task throws and the loop goes on. But when something
 * escapes the loop itself (an {@link Error} in its I/O step), Netty logs it and starts shutting
 * that one loop down, where it then waits for its channels to close, which nobody does: the
 * thread stays alive, spinning, and every connection on it is dead. Its thread never ends, so
 * only its state tells: {@link #check()}, run on the hub's timer, looks at it.
 */
public final class EventLoopWatch {
  /** How often the hub's timer runs {@link #check()}. */
  public static final long CHECK_INTERVAL_MILLIS = 1000;

  private final BooleanSupplier stopping;
  private final List<Thread> threads = new CopyOnWriteArrayList<>(); // one per loop, for life
  private final List<EventLoopGroup> groups = new CopyOnWriteArrayList<>();
  private final AtomicBoolean reported = new AtomicBoolean();

  /** @param stopping true once the hub stops its threads on purpose */
  public EventLoopWatch(BooleanSupplier stopping) {
    this.stopping = stopping;
  }

  /** Threads named {@code prefix-N} for an event loop group, remembered to name a dead loop. */
  public ThreadFactory threads(String prefix) {
    ThreadFactory named = Workers.loopThreadFactory(prefix, stopping);
    return r -> {
      Thread t = named.newThread(r);
      threads.add(t);
      return t;
    };
  }

  /** Watches {@code group}'s loops. */
  public void watch(EventLoopGroup group) {
    groups.add(group);
  }

  /** Reports (once) a loop that is shutting down although the hub is not stopping. */
  public void check() {
    if (stopping.getAsBoolean() || reported.get()) {
      return;
    }
    for (EventLoopGroup group : groups) {
      for (EventExecutor loop : group) {
        if (loop.isShuttingDown() && !stopping.getAsBoolean() && reported.compareAndSet(false, true)) {
          Thread dead = threads.stream().filter(loop::inEventLoop).findFirst().orElse(Thread.currentThread());
          FatalErrors.report(dead, new IllegalStateException(
              "event loop " + dead.getName() + " stopped while the hub was running (see the warning before)"));
          return;
        }
      }
    }
  }
}
