package io.herald.hub.subscribe;

import io.herald.core.auth.Authorization;
import io.herald.core.sse.SseEncoder;
import io.herald.core.transport.UpdateListener;
import io.herald.core.update.Update;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Hands every accepted update to every event loop, once.
 *
 * <p>The update is encoded to SSE bytes here, once, into one direct buffer; each event loop gets
 * one task that writes retained duplicates of that buffer to its own matching subscribers (see
 * {@link LoopSubscribers}). No lock is shared between loops, no subscriber is visited by a thread
 * other than its own, and the transport's dispatch thread never waits for a subscriber.
 *
 * <p>Updates arrive in sequence order from one thread and each loop runs its tasks in order, so
 * every subscriber sees updates in sequence order.
 */
public final class FanOut implements UpdateListener {
  private static final long RESET_RETRY_MILLIS = 500;
  private final List<LoopSubscribers> loops = new ArrayList<>();
  private final Map<EventExecutor, LoopSubscribers> byLoop = new IdentityHashMap<>();

  private final OutboundBudget budget;

  public FanOut(
      EventLoopGroup group, Authorization authorization, FanOutSettings settings, SubscriberCounters counters) {
    List<EventExecutor> executors = new ArrayList<>();
    group.forEach(executors::add);
    this.budget = new OutboundBudget(settings.maxQueuedBytesTotal(), executors.size());
    for (int i = 0; i < executors.size(); i++) {
      EventExecutor executor = executors.get(i);
      LoopSubscribers l = new LoopSubscribers(
          (EventLoop) executor, authorization, settings, counters, budget, budget.share(i));
      loops.add(l);
      byLoop.put(executor, l);
    }
  }

  /** The hub-wide budget of queued outbound bytes, and what is queued now. */
  public OutboundBudget outboundBudget() {
    return budget;
  }

  /**
   * Tells every loop that updates up to {@code sequence} are already in history (at startup,
   * before any dispatch), so streams resuming now replay up to there.
   */
  public void initSequence(long sequence) {
    lastReceived = sequence;
    for (LoopSubscribers l : loops) {
      l.loop().execute(() -> l.initSequence(sequence));
    }
  }

  /** Starts each loop's periodic sweep (heartbeats, slow consumers). */
  public void start() {
    for (LoopSubscribers l : loops) {
      l.startSweeping();
    }
  }

  /** The subscribers living on {@code loop}. */
  LoopSubscribers on(EventExecutor loop) {
    LoopSubscribers l = byLoop.get(loop);
    if (l == null) {
      throw new IllegalStateException("not one of the hub's event loops: " + loop);
    }
    return l;
  }

  /**
   * The sequence of the last update handed to {@link #onUpdate}, set on the transport's thread
   * before the update is queued to the loops: a stream opened now reads it even while a loop has
   * not yet run that update's dispatch task. (An update already answered but not yet handed
   * over is covered by the transport's {@code lastStoredSequence()}.)
   */
  private volatile long lastReceived;

  /**
   * The sequence of the last update this fan-out received (see {@link #lastReceived}): what a
   * live-only stream opened now must not be given, since it was published before the stream was.
   */
  long lastReceived() {
    return lastReceived;
  }

  /** Also sees every update, on the transport's thread, before it is dispatched. */
  private volatile UpdateListener observer = u -> {};

  /** Sets a listener that sees every update first (the subscription registry, for clusters). */
  public void observeWith(UpdateListener observer) {
    this.observer = observer;
  }

  /** Updates that few subscribers receive, encoded by each loop only if it has a recipient. */
  private volatile Predicate<Update> rarelyReceived = u -> false;

  /**
   * Sets which updates are encoded on demand (per loop, only when one of its subscribers receives
   * them) rather than once up front: for updates that usually reach nobody.
   */
  public void encodeOnDemand(Predicate<Update> rarelyReceived) {
    this.rarelyReceived = rarelyReceived;
  }

  @Override
  public void onUpdate(Update update) {
    lastReceived = update.sequence();
    observer.onUpdate(update);
    if (rarelyReceived.test(update)) {
      for (LoopSubscribers l : loops) {
        try {
          l.loop().execute(() -> l.dispatchEncodingOnDemand(update));
        } catch (RejectedExecutionException shuttingDown) {
          // the loop is gone, and its subscribers with it
        }
      }
      return;
    }
    Delivery delivery = Delivery.of(update, SseEncoder.encode(update));
    try {
      for (LoopSubscribers l : loops) {
        delivery.retain();
        try {
          l.loop().execute(() -> {
            try {
              l.dispatch(delivery);
            } finally {
              delivery.release();
            }
          });
        } catch (RejectedExecutionException shuttingDown) {
          delivery.release();
        }
      }
    } finally {
      delivery.release();
    }
  }

  /**
   * The transport may have skipped updates: end every stream now, with a short {@code retry:},
   * so each subscriber reconnects and resumes from history instead of missing updates silently.
   */
  @Override
  public void onReset() {
    closeAll(RESET_RETRY_MILLIS);
  }

  /**
   * Ends every stream with a final {@code retry:} hint and waits (at most {@code timeoutMillis})
   * until their connections are closed, so that a shutdown stopping the event loops afterwards
   * cannot cut a stream before its last bytes left. Not for use on an event loop.
   */
  public void closeAllAndWait(long retryMillis, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    List<Future<List<ChannelFuture>>> perLoop = new ArrayList<>();
    for (LoopSubscribers l : loops) {
      try {
        perLoop.add(l.loop().submit(() -> l.closeAll(retryMillis)));
      } catch (RejectedExecutionException alreadyStopped) {
        // nothing left to close on that loop
      }
    }
    for (Future<List<ChannelFuture>> f : perLoop) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !f.awaitUninterruptibly(left, TimeUnit.NANOSECONDS) || !f.isSuccess()) {
        continue;
      }
      for (ChannelFuture closed : f.getNow()) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return;
        }
        closed.awaitUninterruptibly(remaining, TimeUnit.NANOSECONDS);
      }
    }
  }

  /** Ends every stream with a final {@code retry:} hint, without waiting (transport reset). */
  public void closeAll(long retryMillis) {
    for (LoopSubscribers l : loops) {
      try {
        l.loop().execute(() -> l.closeAll(retryMillis));
      } catch (RejectedExecutionException alreadyStopped) {
        // nothing left to close on that loop
      }
    }
  }
}
