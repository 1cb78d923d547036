package io.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Publishes updates from its own event loop over a few keep-alive HTTP/1.1 connections with one
 * request in flight each: at a fixed rate, or in a closed loop where each connection sends its
 * next update as soon as the previous one is answered (see {@link PublishMode}). With several
 * publish URLs (one per hub node) updates take the URLs in turn, each URL with its own share of
 * the connections, as behind a round-robin load balancer. Updates go round-robin over the topics; each
 * carries its topic's next sequence number and its send time (see {@link Payload}). When every
 * connection is busy the updates due wait; more than a second behind, they are skipped and counted,
 * so the achieved rate (not the asked one) is what reports show. The round trip of every
 * acknowledged publish (request written to response read) goes to {@link Tally#publishRtt}.
 */
final class Publisher implements AutoCloseable {
  private static final long TICK_MICROS = 1000;

  private final LoadSettings settings;
  private final Tally tally;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  /** Per publish URL: its address, its idle connections, how many it has open. */
  private final InetSocketAddress[] remotes;
  private final List<ArrayDeque<Connection>> idle = new ArrayList<>();
  private final int[] open;
  /** Connections each URL may open. */
  private final int connectionsPerUrl;
  private final long[] nextSequence;
  private int nextUrl;
  private int inFlight;
  /** The most requests ever in flight at once, over all connections (written on the loop only). */
  private volatile int maxInFlight;
  /** In closed mode, while publishing: an answered connection sends its next update at once. */
  private boolean closedLoop;
  private long issued;
  private int nextTopic;
  /** Updates skipped because the target could not take them fast enough. */
  final LongAdder skipped = new LongAdder();

  Publisher(LoadSettings settings, Tally tally) {
    this.settings = settings;
    this.tally = tally;
    boolean epoll = Epoll.isAvailable();
    this.group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    int urls = settings.publishUrls().size();
    this.remotes = new InetSocketAddress[urls];
    for (int u = 0; u < urls; u++) {
      Template.Endpoint e = settings.publishUrls().get(u).endpoint(LoadSettings.topicName(0));
      remotes[u] = new InetSocketAddress(e.host(), e.port());
      idle.add(new ArrayDeque<>());
    }
    this.open = new int[urls];
    this.connectionsPerUrl = Math.max(1, settings.publishConnections() / urls);
    this.bootstrap = new Bootstrap().group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
    this.nextSequence = new long[settings.topics()];
  }

  /**
   * Publishes for {@code duration}, at {@code rate} updates per second in {@link PublishMode#RATE}
   * or as fast as answers come in {@link PublishMode#CLOSED} (rate ignored), then waits for answers.
   */
  void publishFor(int rate, Duration duration) throws InterruptedException {
    if (settings.publishMode() == PublishMode.CLOSED) {
      publishClosedFor(duration);
    } else {
      publishAtRate(rate, duration);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && group.submit(() -> inFlight).syncUninterruptibly().getNow() > 0) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }

  /** The most publishes that were in flight at once since this publisher started. */
  int maxInFlight() {
    return maxInFlight;
  }

  private void publishAtRate(int rate, Duration duration) throws InterruptedException {
    long start = System.nanoTime();
    long[] base = new long[1];
    group.submit(() -> base[0] = issued).syncUninterruptibly();
    ScheduledFuture<?> ticker = group.scheduleAtFixedRate(() -> {
      long elapsed = System.nanoTime() - start;
      long due = base[0] + elapsed * rate / 1_000_000_000L - issued;
      if (due > Math.max(rate, 1)) {
        long skip = due - rate;
        skipped.add(skip);
        issued += skip;
        due = rate;
      }
      while (due-- > 0 && sendOne()) {
        // one per idle (or new) connection
      }
    }, 0, TICK_MICROS, TimeUnit.MICROSECONDS);
    TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    ticker.cancel(false);
  }

  /**
   * Opens every connection allowed and keeps each busy for {@code duration}: one update in flight
   * per connection, the next sent when the previous is answered.
   */
  private void publishClosedFor(Duration duration) throws InterruptedException {
    group.submit(() -> {
      closedLoop = true;
      for (int url = 0; url < remotes.length; url++) {
        ArrayDeque<Connection> free = idle.get(url);
        for (Connection c = free.pollFirst(); c != null; c = free.pollFirst()) {
          sendOn(c);
        }
        while (open[url] < connectionsPerUrl) {
          openConnection(url);
        }
      }
    }).syncUninterruptibly();
    TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    group.submit(() -> closedLoop = false).syncUninterruptibly();
  }

  /**
   * Sends the next update to the next URL in turn if one of that URL's connections is free
   * (opening one if allowed); false if none is.
   */
  private boolean sendOne() {
    int url = nextUrl;
    Connection c = idle.get(url).pollFirst();
    if (c == null) {
      if (open[url] < connectionsPerUrl) {
        openConnection(url);
      }
      return false;
    }
    nextUrl = (url + 1) % remotes.length;
    sendOn(c);
    return true;
  }

  /** Opens one more connection to URL {@code url}; once connected it is free for the next update. */
  private void openConnection(int url) {
    open[url]++;
    Connection fresh = new Connection(url);
    ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), fresh);
      }
    }).connect(remotes[url]);
    fresh.channel = connect.channel();
    connect.addListener(f -> {
      if (f.isSuccess()) {
        free(fresh);
      } else {
        open[url]--;
        tally.publishFailures.increment();
      }
    });
  }

  /** A connection whose request (if any) was answered: busy again at once in the closed loop, else idle. */
  private void free(Connection c) {
    if (closedLoop) {
      sendOn(c);
    } else {
      idle.get(c.url).addLast(c);
    }
  }

  /** Sends the next update (next topic round-robin, its next sequence) on connection {@code c}. */
  private void sendOn(Connection c) {
    int topic = nextTopic;
    nextTopic = (nextTopic + 1) % nextSequence.length;
    long seq = nextSequence[topic]++;
    issued++;
    c.send(topic, Payload.encode(seq, System.nanoTime(), settings.payloadBytes()));
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** One keep-alive publishing connection; runs on the publisher's event loop. */
  private final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final int url;
    private Channel channel;
    private int topic = -1;
    /** When the request in flight was written. */
    private long sentNanos;

    Connection(int url) {
      this.url = url;
    }

    void send(int topic, String data) {
      this.topic = topic;
      inFlight++;
      if (inFlight > maxInFlight) {
        maxInFlight = inFlight;
      }
      String name = LoadSettings.topicName(topic);
      Template.Endpoint e = settings.publishUrls().get(url).endpoint(name);
      ByteBuf body = Unpooled.copiedBuffer(settings.publishBody().expand(name, data), StandardCharsets.UTF_8);
      DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, e.target(), body);
      req.headers().set(HttpHeaderNames.HOST, e.hostHeader())
          .set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded")
          .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      for (String h : settings.publishHeaders()) {
        int colon = h.indexOf(':');
        req.headers().set(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
      }
      tally.published.increment();
      sentNanos = System.nanoTime();
      channel.writeAndFlush(req);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      channel = ctx.channel();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
      int code = res.status().code();
      if (topic >= 0) {
        if (code >= 200 && code < 300) {
          tally.acknowledged(sentNanos, System.nanoTime());
          tally.acked.incrementAndGet(topic);
        } else {
          tally.publishFailures.increment();
        }
        topic = -1;
        inFlight--;
      }
      if (ctx.channel().isActive() && HttpUtil.isKeepAlive(res)) {
        free(this);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      open[url]--;
      idle.get(url).remove(this);
      if (topic >= 0) {
        tally.publishFailures.increment();
        topic = -1;
        inFlight--;
      }
      if (closedLoop) {
        openConnection(url); // an ordinary client reconnects; the loop keeps its N connections
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
