package io.herald.hub.subscribe;

import io.herald.core.auth.Authorization;
import io.herald.core.sse.SseEncoder;
import io.herald.core.subscriber.SubscriberIndex;
import io.herald.core.update.Update;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The subscribers of one event loop, touched only from that loop: no locks.
 *
 * <p>Dispatch writes to every matching subscriber and then schedules a single flush behind the
 * tasks already queued, so a burst of updates reaches each socket in one syscall instead of one
 * per update (flush coalescing). A periodic sweep sends heartbeats on idle streams and drops
 * subscribers that stayed unwritable past the dispatch timeout, and HTTP/2 connections whose
 * socket did. Holds this loop's share of the hub's {@link OutboundBudget} and the {@link
 * ConnectionBudget}s of its HTTP/2 connections.
 */
final class LoopSubscribers {
  private static final AttributeKey<ConnectionBudget> CONNECTION_BUDGET =
      AttributeKey.valueOf("herald.connectionBudget");

  private final EventLoop loop;
  private final FanOutSettings settings;
  private final SubscriberCounters counters;
  private final SubscriberIndex<SubscriberStream> index;
  private final Set<SubscriberStream> members = new LinkedHashSet<>();
  private final List<SubscriberStream> toFlush = new ArrayList<>();
  private final Runnable flushTask = this::flushTouched;
  private final OutboundBudget budget;
  private final OutboundBudget.Share budgetShare;
  /** HTTP/2 connections with a stream on this loop (swept for stalled sockets). */
  private final Set<ConnectionBudget> connections = new LinkedHashSet<>();
  private boolean flushScheduled;
  /** Sequence of the last update this loop dispatched: where a new subscriber's live stream starts. */
  private long lastSequence;

  LoopSubscribers(
      EventLoop loop, Authorization authorization, FanOutSettings settings, SubscriberCounters counters,
      OutboundBudget budget, OutboundBudget.Share budgetShare) {
    this.loop = loop;
    this.budget = budget;
    this.budgetShare = budgetShare;
    this.settings = settings;
    this.counters = counters;
    this.index = new SubscriberIndex<>(authorization);
  }

  EventLoop loop() {
    return loop;
  }

  OutboundBudget budget() {
    return budget;
  }

  /** This loop's share of the hub's budget: only this loop writes it. */
  OutboundBudget.Share budgetShare() {
    return budgetShare;
  }

  /**
   * The budget of the connection {@code channel} belongs to: one per HTTP/2 connection, shared by
   * its streams (they live on the connection's loop, this one); an HTTP/1.1 stream is its own.
   */
  ConnectionBudget connectionBudget(Channel channel) {
    long max = settings.maxQueuedBytesPerConnection();
    if (!(channel instanceof Http2StreamChannel)) {
      return new ConnectionBudget(channel, max);
    }
    Channel parent = channel.parent();
    ConnectionBudget c = parent.attr(CONNECTION_BUDGET).get();
    if (c == null) {
      ConnectionBudget created = new ConnectionBudget(parent, max);
      parent.attr(CONNECTION_BUDGET).set(created);
      connections.add(created);
      parent.closeFuture().addListener(f -> loop.execute(() -> connections.remove(created)));
      c = created;
    }
    return c;
  }

  long lastSequence() {
    return lastSequence;
  }

  /** Sets where the live stream starts before any dispatch happened (from the history). */
  void initSequence(long sequence) {
    if (lastSequence < sequence) {
      lastSequence = sequence;
    }
  }

  void add(SubscriberStream s) {
    members.add(s);
    index.add(s);
  }

  void remove(SubscriberStream s) {
    members.remove(s);
    index.remove(s);
  }

  void dispatch(Delivery delivery) {
    lastSequence = delivery.update().sequence();
    if (members.isEmpty()) {
      return;
    }
    index.forEachRecipient(delivery.update(), s -> {
      if (s.offer(delivery)) {
        markForFlush(s);
      }
    });
  }

  /**
   * Dispatches an update that few or no subscribers receive (subscription events): it is encoded
   * here, on this loop, and only if one of this loop's subscribers receives it, instead of once
   * for all loops up front. Hubs with {@code --subscriptions} publish one such event per
   * connection and disconnection, usually to nobody.
   */
  void dispatchEncodingOnDemand(Update update) {
    lastSequence = update.sequence();
    if (members.isEmpty()) {
      return;
    }
    Delivery[] encoded = new Delivery[1];
    index.forEachRecipient(update, s -> {
      if (encoded[0] == null) {
        encoded[0] = Delivery.of(update, SseEncoder.encode(update));
      }
      if (s.offer(encoded[0])) {
        markForFlush(s);
      }
    });
    if (encoded[0] != null) {
      encoded[0].release();
    }
  }

  /** Queues {@code s} for the next coalesced flush. */
  void markForFlush(SubscriberStream s) {
    if (!s.flushPending) {
      s.flushPending = true;
      toFlush.add(s);
    }
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(flushTask);
    }
  }

  private void flushTouched() {
    flushScheduled = false;
    int n = toFlush.size();
    for (int i = 0; i < n; i++) {
      SubscriberStream s = toFlush.get(i);
      s.flushPending = false;
      s.flush();
    }
    toFlush.clear();
  }

  void startSweeping() {
    long hb = settings.heartbeat().toMillis();
    long dt = settings.dispatchTimeout().toMillis();
    long period = Math.min(1000, Math.min(hb > 0 ? hb : 1000, dt > 0 ? dt : 1000) / 2);
    period = Math.max(10, period);
    loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    long now = System.nanoTime();
    long timeoutNanos = settings.dispatchTimeout().toNanos();
    if (!connections.isEmpty()) {
      for (ConnectionBudget c : new ArrayList<>(connections)) {
        if (c.sweep(now, timeoutNanos)) {
          connections.remove(c);
        }
      }
    }
    if (members.isEmpty()) {
      return;
    }
    long heartbeatNanos = settings.heartbeat().toNanos();
    for (SubscriberStream s : new ArrayList<>(members)) {
      s.sweep(now, heartbeatNanos, timeoutNanos);
    }
  }

  /** Ends every stream; returns their channels' close futures. */
  List<ChannelFuture> closeAll(long retryMillis) {
    List<ChannelFuture> closing = new ArrayList<>(members.size());
    for (SubscriberStream s : new ArrayList<>(members)) {
      s.finish(retryMillis);
      closing.add(s.channel().closeFuture());
    }
    return closing;
  }
}
