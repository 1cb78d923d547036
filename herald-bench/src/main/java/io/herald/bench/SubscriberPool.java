package io.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The subscriber connections of one run, spread over several client event loops (native epoll)
 * and over loopback source addresses 127.0.0.2 and up, so one machine can hold more connections
 * than one address has ephemeral ports. Connection attempts in flight are bounded, so a burst of
 * thousands does not overflow the target's accept backlog.
 *
 * <p>With several subscribe URLs (nodes of one cluster), subscriber {@code i} connects to URL
 * {@code i mod n}, so each node holds an equal share, as behind a round-robin load balancer.
 *
 * <p>A connection the target ends, or an attempt it refuses, is reopened (with {@code
 * Last-Event-ID}, as {@code EventSource} does) a bounded number of times, unless the tool closed
 * it on purpose. The delay doubles from {@link #RECONNECT_DELAY_MILLIS} up to {@link
 * #MAX_RECONNECT_DELAY_MILLIS} (about what a browser waits), so a target that briefly cannot serve
 * resumes (a hub whose history is unreachable for a few seconds closes resuming subscribers
 * so that they retry) is retried for minutes, not for the ten seconds fifty quick attempts take.
 */
final class SubscriberPool implements AutoCloseable {
  private static final int MAX_ATTEMPTS_PER_SUBSCRIBER = 50;
  private static final long RECONNECT_DELAY_MILLIS = 200;
  private static final long MAX_RECONNECT_DELAY_MILLIS = 3000;

  private final LoadSettings settings;
  private final Tally tally;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final List<Subscriber> subscribers = new ArrayList<>();
  /** Per subscribe URL (hub node), per topic. */
  private final Template.Endpoint[][] endpoints;
  /** Per subscribe URL. */
  private final InetSocketAddress[] remotes;
  private final Semaphore pending;
  private volatile boolean shuttingDown;

  SubscriberPool(LoadSettings settings, Tally tally) {
    this.settings = settings;
    this.tally = tally;
    boolean epoll = Epoll.isAvailable();
    this.group = new MultiThreadIoEventLoopGroup(settings.threads(),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    this.bootstrap = new Bootstrap().group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    if (epoll) {
      // Let the kernel pick the source port at connect time, per destination: more connections per address.
      bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
    }
    List<Template> urls = settings.subscribeUrls();
    this.endpoints = new Template.Endpoint[urls.size()][settings.topics()];
    this.remotes = new InetSocketAddress[urls.size()];
    for (int u = 0; u < urls.size(); u++) {
      for (int t = 0; t < settings.topics(); t++) {
        endpoints[u][t] = urls.get(u).endpoint(LoadSettings.topicName(t));
      }
      remotes[u] = new InetSocketAddress(endpoints[u][0].host(), endpoints[u][0].port());
    }
    this.pending = new Semaphore(settings.maxPendingConnects());
    for (int i = 0; i < settings.subscribers(); i++) {
      subscribers.add(new Subscriber(i, i % settings.topics(), tally));
    }
    tally.subscribers(subscribers);
  }

  List<Subscriber> subscribers() {
    return subscribers;
  }

  /** How many subscribers are streaming now. */
  long streaming() {
    return tally.connected.sum();
  }

  /**
   * Opens every subscriber that is not streaming, at most {@code maxPendingConnects} attempts at
   * a time, and returns once all attempts have started (not finished: see {@link #awaitStreaming}).
   */
  void connectAll(long deadlineNanos) throws InterruptedException {
    for (Subscriber s : subscribers) {
      if (s.channel != null && s.channel.isActive()) {
        continue;
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0 || !pending.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        return;
      }
      connect(s, true);
    }
  }

  /** Waits until {@code count} subscribers stream or the deadline passes; true if they all do. */
  boolean awaitStreaming(long count, long deadlineNanos) throws InterruptedException {
    while (streaming() < count) {
      if (System.nanoTime() > deadlineNanos) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(2);
    }
    return true;
  }

  /** Waits until no connection attempt is in flight, or the deadline passes. */
  void awaitSettled(long deadlineNanos) throws InterruptedException {
    while (pending.availablePermits() < settings.maxPendingConnects() && System.nanoTime() < deadlineNanos) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }

  /** Closes one subscriber's connection on purpose (it will not reopen by itself). */
  ChannelFuture disconnect(Subscriber s) {
    s.closing = true;
    Channel ch = s.channel;
    return ch == null ? null : ch.close();
  }

  /** Reopens a subscriber closed with {@link #disconnect}, resuming from its last event ID. */
  void reconnect(Subscriber s) {
    s.closing = false;
    s.attempts = 0;
    connect(s, false);
  }

  /** Closes every connection on purpose and waits for them to be closed. */
  void disconnectAll() {
    List<ChannelFuture> closing = new ArrayList<>();
    for (Subscriber s : subscribers) {
      ChannelFuture f = disconnect(s);
      if (f != null) {
        closing.add(f);
      }
    }
    for (ChannelFuture f : closing) {
      f.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  /** Reopens every subscriber at once, each resuming from its last event ID. */
  void reconnectAll(long deadlineNanos) throws InterruptedException {
    for (Subscriber s : subscribers) {
      s.closing = false;
      s.attempts = 0;
    }
    connectAll(deadlineNanos);
  }

  private void connect(Subscriber s, boolean holdsPermit) {
    s.attempts++;
    s.connectStartNanos = System.nanoTime();
    int node = s.index % endpoints.length;
    Template.Endpoint endpoint = endpoints[node][s.topic];
    InetSocketAddress remote = remotes[node];
    Bootstrap b = bootstrap.clone().attr(PermitKey.KEY, holdsPermit).handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new HttpClientCodec(8192, 16 * 1024, 64 * 1024),
            new StreamHandler(s, endpoint, settings.subscribeHeaders(), SubscriberPool.this));
      }
    });
    ChannelFuture f = settings.sources() > 0
        ? b.connect(remote, new InetSocketAddress(sourceAddress(s.index), 0))
        : b.connect(remote);
    s.channel = f.channel();
    f.addListener(done -> {
      if (!done.isSuccess()) {
        failed(f.channel());
        retryLater(s);
      }
    });
  }

  private String sourceAddress(int index) {
    return "127.0.0." + (2 + index % settings.sources());
  }

  /** Called on the event loop when a subscriber's response is a 200. */
  void streaming(Subscriber s, Channel ch) {
    tally.connected.increment();
    tally.connectTime.recordValue(Math.max(0, (System.nanoTime() - s.connectStartNanos) / 1000));
    releasePermit(ch);
  }

  /** Called when an attempt failed (refused, timed out, or not a 200). */
  void failed(Channel ch) {
    tally.connectFailures.increment();
    releasePermit(ch);
  }

  /** Called on the event loop when a subscriber's connection closed, for whatever reason. */
  void ended(Subscriber s, Channel ch, boolean wasStreaming) {
    releasePermit(ch);
    boolean current = ch == s.channel;
    if (wasStreaming) {
      tally.connected.decrement();
      if (current && !s.closing) {
        tally.disconnects.increment();
      }
    }
    if (current) {
      retryLater(s);
    }
  }

  private void retryLater(Subscriber s) {
    if (s.closing || shuttingDown || s.attempts >= MAX_ATTEMPTS_PER_SUBSCRIBER) {
      return;
    }
    long delay = Math.min(MAX_RECONNECT_DELAY_MILLIS, RECONNECT_DELAY_MILLIS << Math.min(s.attempts, 4));
    group.schedule(() -> {
      if (!s.closing && !shuttingDown && (s.channel == null || !s.channel.isActive())) {
        connect(s, false);
      }
    }, delay, TimeUnit.MILLISECONDS);
  }

  private void releasePermit(Channel ch) {
    if (ch != null && Boolean.TRUE.equals(ch.attr(PermitKey.KEY).getAndSet(false))) {
      pending.release();
    }
  }

  @Override
  public void close() {
    shuttingDown = true;
    disconnectAll();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** Marks a channel whose attempt holds one of the pending-connect permits. */
  private static final class PermitKey {
    static final io.netty.util.AttributeKey<Boolean> KEY = io.netty.util.AttributeKey.valueOf("herald-bench-permit");
  }
}
