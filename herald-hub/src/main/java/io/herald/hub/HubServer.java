package io.herald.hub;

import io.herald.core.auth.Authorization;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.transport.Transport;
import io.herald.core.update.UpdateRules;
import io.herald.core.worker.Workers;
import io.herald.hub.demo.DemoClock;
import io.herald.hub.http.BodyBudget;
import io.herald.hub.http.ConnectionLimiter;
import io.herald.hub.http.Cors;
import io.herald.hub.http.FrontDoorCounters;
import io.herald.hub.limits.RequestLimits;
import io.herald.hub.ops.HubMetrics;
import io.herald.hub.ops.OpsHandler;
import io.herald.hub.page.PageHandler;
import io.herald.hub.publish.PublishCounters;
import io.herald.hub.publish.PublishAdmission;
import io.herald.hub.publish.PublishHandler;
import io.herald.hub.publish.PublishIntake;
import io.herald.hub.publish.PublishService;
import io.herald.hub.publish.PublishSettings;
import io.herald.hub.server.AdminChannelInitializer;
import io.herald.hub.server.AdminRouter;
import io.herald.hub.server.EventLoopWatch;
import io.herald.hub.server.FrontDoor;
import io.herald.hub.server.HubChannelInitializer;
import io.herald.hub.server.Endpoints;
import io.herald.hub.server.PipelineSettings;
import io.herald.hub.subscribe.FanOut;
import io.herald.hub.subscribe.FanOutSettings;
import io.herald.hub.subscribe.SubscribeHandler;
import io.herald.hub.subscribe.SubscribeSettings;
import io.herald.hub.subscribe.SubscriberCounters;
import io.herald.hub.subscriptions.SubscriptionRegistry;
import io.herald.hub.subscriptions.SubscriptionsHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A running hub: binds the port, wires the transport to the subscribers, and stops cleanly.
 *
 * <pre>{@code
 * Transport transport = new HistoryTransport(new MemoryHistory(10_000));
 * try (HubServer hub = HubServer.start(config, transport)) {
 *   System.out.println("listening on " + hub.port());
 * }
 * }</pre>
 *
 * <p>Uses the native epoll transport on Linux and NIO elsewhere. The transport is owned by the
 * caller, which closes it after the hub.
 *
 * <p>Every thread comes from {@link Workers}, so none dies silently: an event loop that stops
 * before {@link #close()} ({@link EventLoopWatch}) and an {@link Error} in the replay pool or the
 * timer go to the fatal handler ({@code herald serve} exits); a replay task's exception is
 * logged. Netty itself catches what a handler or a task on an event loop throws, logs it and,
 * for a handler, closes that connection; the loop lives on and serves the others, which is right
 * for one bad connection. After a heap {@link OutOfMemoryError} nothing can be trusted, wherever
 * it was thrown: {@code herald serve} relies on {@code -XX:+ExitOnOutOfMemoryError} (the
 * launcher sets it) for that case rather than on each catch site.
 */
public final class HubServer implements AutoCloseable {
  /** The {@code retry:} given to streams ended by a shutdown: come back soon, here or elsewhere. */
  private static final long DRAIN_RETRY_MILLIS = 1000;
  /** How long close() waits for streams to end before stopping the event loops. */
  private static final long STREAM_CLOSE_WAIT_MILLIS = 3000;

  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final ExecutorService replayExecutor;
  private final ScheduledExecutorService scheduler;
  private final FanOut fanOut;
  private final Channel serverChannel;
  private final Channel adminChannel;
  private final HubMetrics metrics;
  private final PublishCounters publishCounters = new PublishCounters();
  private final SubscriberCounters subscriberCounters = new SubscriberCounters();
  private final FrontDoorCounters frontDoorCounters = new FrontDoorCounters();
  private final DemoClock demo;
  private final RequestLimits limits;
  private volatile boolean draining;
  /** Set before the threads are stopped on purpose, so their end is not taken for a failure. */
  private volatile boolean stoppingThreads;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private HubServer(HubConfig config, Transport transport) throws InterruptedException, SSLException {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
    EventLoopWatch loops = new EventLoopWatch(() -> stoppingThreads);
    this.bossGroup = new MultiThreadIoEventLoopGroup(1, loops.threads("herald-accept"), io);
    this.workerGroup = new MultiThreadIoEventLoopGroup(threads, loops.threads("herald-io"), io);
    this.replayExecutor = Workers.pool("herald-replay", 2);
    this.scheduler = Workers.scheduler("herald-timer");
    loops.watch(bossGroup);
    loops.watch(workerGroup);
    scheduler.scheduleWithFixedDelay(loops::check, EventLoopWatch.CHECK_INTERVAL_MILLIS,
        EventLoopWatch.CHECK_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);

    TopicMatcher matcher = new TopicMatcher(config.matchCacheBytes());
    Authorization authorization = new Authorization(matcher);
    PublishService publishing = new PublishService(
        transport, authorization, new UpdateRules(config.maxTopics(), config.maxTopicBytes()), publishCounters);
    SubscriptionRegistry registry = new SubscriptionRegistry(config.subscriptions(), publishing);
    Cors cors = new Cors(config.corsOrigins());
    this.fanOut = new FanOut(workerGroup, authorization, new FanOutSettings(config.maxQueuedBytesTotal(),
        config.maxQueuedBytesPerConnection(), config.heartbeat(), config.dispatchTimeout()), subscriberCounters);
    fanOut.initSequence(transport.history().lastSequence());
    transport.dispatchTo(fanOut);
    fanOut.observeWith(registry::observe);
    fanOut.encodeOnDemand(SubscriptionRegistry::isEvent);
    fanOut.start();

    this.limits = new RequestLimits(config.limits());
    PublishAdmission admission = new PublishAdmission(
        new PublishSettings(config.cookieName(), config.publisherVerifier(), config.publishOrigins()),
        cors, publishCounters, limits);
    PublishHandler publish = new PublishHandler(publishing, admission, cors, publishCounters, () -> draining);
    BodyBudget budget = new BodyBudget(config.maxBodyBytesInFlight());
    SubscribeHandler subscribe = new SubscribeHandler(
        new SubscribeSettings(config.maxTopics(), config.maxTopicBytes(), config.cookieName(),
            config.subscriberVerifier(), config.anonymous(), config.maxQueuedBytes(), config.retryMillis()),
        transport, authorization, cors, fanOut, subscriberCounters, replayExecutor, registry, limits);
    SubscriptionsHandler subscriptions = new SubscriptionsHandler(
        config.cookieName(), config.subscriberVerifier(), registry, transport, matcher, cors, limits);
    this.metrics = new HubMetrics(publishCounters, subscriberCounters, transport);
    metrics.limits(limits.counters());
    FrontDoor door = new FrontDoor(
        new PublishIntake(admission, publish, budget, config.maxBodyBytes(), frontDoorCounters),
        new ConnectionLimiter(config.maxConnectionsPerAddress(), config.maxConnections(), frontDoorCounters),
        frontDoorCounters);
    metrics.frontDoor(door.connections(), budget, door.counters());
    metrics.matchCaches(matcher);
    metrics.bindOutbound(subscriberCounters, fanOut.outboundBudget());
    OpsHandler ops = new OpsHandler(metrics, transport, () -> draining, config.metricsToken());
    Endpoints endpoints = new Endpoints(subscribe, subscriptions, ops, config.adminAddress() == null,
        new PageHandler(), cors, () -> draining);
    SslContext ssl = config.tlsCert() == null ? null : sslContext(config);
    PipelineSettings pipeline = new PipelineSettings(config.headerTimeout(), config.bodyTimeout(),
        config.maxUriBytes(), config.maxHeaderBytes(), config.maxBodyBytes(), config.maxStreamsPerConnection());

    Class<? extends ServerChannel> channelClass =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(channelClass)
        .option(ChannelOption.SO_BACKLOG, 8192)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
        .childHandler(new HubChannelInitializer(pipeline, endpoints, ssl, door));
    Channel admin = null;
    try {
      this.serverChannel = bootstrap.bind(config.address()).sync().channel();
      if (config.adminAddress() != null) {
        admin = new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(channelClass)
            .childHandler(new AdminChannelInitializer(pipeline, new AdminRouter(ops), door))
            .bind(config.adminAddress()).sync().channel();
      }
    } catch (InterruptedException e) {
      shutdownThreads();
      throw e;
    } catch (RuntimeException e) {
      shutdownThreads();
      // Netty's native message ("bind(..) failed with error(-98)") does not say which address.
      throw new IllegalStateException("cannot listen on " + describe(config.address())
          + (config.adminAddress() == null ? "" : " / admin " + describe(config.adminAddress()))
          + ": " + e.getMessage(), e);
    }
    this.adminChannel = admin;
    this.demo = config.demo() ? new DemoClock(publishing, scheduler) : null;
  }

  /**
   * Starts a hub on {@code config.address()} in front of {@code transport}.
   *
   * @throws InterruptedException if interrupted while binding
   * @throws SSLException if the configured certificate or key cannot be used
   */
  public static HubServer start(HubConfig config, Transport transport) throws InterruptedException, SSLException {
    return new HubServer(config, transport);
  }

  private static SslContext sslContext(HubConfig config) throws SSLException {
    return SslContextBuilder.forServer(config.tlsCert().toFile(), config.tlsKey().toFile())
        .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1))
        .build();
  }

  /** The port the hub listens on (useful when configured with port 0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Where the hub listens. */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Publishes counted by result, since the hub started. */
  public PublishStats publishCounters() {
    return new PublishStats(publishCounters);
  }

  /** Subscriber streams open now and what the streams were sent, since the hub started. */
  public SubscriberStats subscriberCounters() {
    return new SubscriberStats(subscriberCounters);
  }

  /** The per-address and per-subject request limits, and what they count. */
  public RequestLimits requestLimits() {
    return limits;
  }

  /** Bytes queued for subscribers now, as charged against {@link HubConfig#maxQueuedBytesTotal()}. */
  public long queuedBytes() {
    return fanOut.outboundBudget().total();
  }

  /** Where the admin endpoints listen, or {@code null} when they share the main port. */
  public InetSocketAddress adminAddress() {
    return adminChannel == null ? null : (InetSocketAddress) adminChannel.localAddress();
  }

  /** Whether the hub is draining (shutting down gracefully). */
  public boolean isDraining() {
    return draining;
  }

  /**
   * First step of a graceful shutdown: stop accepting connections and answer new requests on
   * open ones with 503 and {@code Retry-After}. Open streams keep receiving until {@link #close()},
   * so the owner can finish in-flight publishes (close the transport) in between: every update a
   * publisher got a 200 for then still reaches the streams before they end.
   */
  public void startDrain() {
    draining = true;
    serverChannel.close().awaitUninterruptibly();
  }

  /** Whether the native epoll transport is in use. */
  public boolean isNative() {
    return Epoll.isAvailable();
  }

  /**
   * Stops the hub: no new connections, new requests answered 503, every stream ended with a short
   * {@code retry:} so subscribers come back soon (to this hub restarted, or another), then the
   * threads are released. The transport is left to its owner.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    if (demo != null) {
      demo.close();
    }
    startDrain();
    fanOut.closeAllAndWait(DRAIN_RETRY_MILLIS, STREAM_CLOSE_WAIT_MILLIS);
    if (adminChannel != null) {
      adminChannel.close().awaitUninterruptibly();
    }
    shutdownThreads();
    metrics.close();
  }

  private void shutdownThreads() {
    stoppingThreads = true;
    scheduler.shutdownNow();
    replayExecutor.shutdownNow();
    bossGroup.shutdownGracefully(0, 2000, TimeUnit.MILLISECONDS).awaitUninterruptibly();
    workerGroup.shutdownGracefully(100, 5000, TimeUnit.MILLISECONDS).awaitUninterruptibly();
  }

  private static String describe(InetSocketAddress a) {
    return (a.getAddress() == null || a.getAddress().isAnyLocalAddress() ? "" : a.getHostString()) + ":" + a.getPort();
  }
}
