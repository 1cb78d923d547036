package io.herald.hub.subscribe;

import io.herald.core.auth.Authorization;
import io.herald.core.auth.Grants;
import io.herald.core.history.HistoryException;
import io.herald.core.history.ReplayStart;
import io.herald.core.sse.SseEncoder;
import io.herald.core.topic.TopicLength;
import io.herald.core.transport.Transport;
import io.herald.core.update.Update;
import io.herald.hub.http.Authentication;
import io.herald.hub.http.Cors;
import io.herald.hub.http.PresentedToken;
import io.herald.hub.http.Responses;
import io.herald.hub.limits.LimitKeys;
import io.herald.hub.limits.Refusal;
import io.herald.hub.limits.RequestLimits;
import io.herald.hub.subscriptions.SubscriptionRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where updates leave the hub: {@code GET /.well-known/mercure?topic=...} opens an event stream.
 *
 * <p>Checks the selectors (400) and the subscriber's token (401), answers 200 with the stream's
 * headers at once (so a browser's {@code onopen} fires before any update), then either goes live
 * or, when {@code Last-Event-ID}/{@code lastEventID} was given, replays what was missed first.
 */
public final class SubscribeHandler {
  private static final System.Logger LOG = System.getLogger(SubscribeHandler.class.getName());
  /** The literal that asks for everything the history still has. */
  static final String EARLIEST = ReplayStart.EARLIEST;
  /** Event IDs longer than this cannot be ours: treat as unknown without a lookup. */
  private static final int MAX_EVENT_ID_LENGTH = 1024;
  private static final int MAX_ACTIVE_REPLAYS = 64;

  private final SubscribeSettings settings;
  private final Transport transport;
  private final Authorization authorization;
  private final Cors cors;
  private final FanOut fanOut;
  private final SubscriberCounters counters;
  private final Executor replayExecutor;
  private final SubscriptionRegistry registry;
  /**
   * Replays running at once: bounds the history pages in memory during a resume storm
   * ({@link Replay#PAGE} updates each).
   */
  private final ReplayLimiter replays = new ReplayLimiter(MAX_ACTIVE_REPLAYS);
  private final RequestLimits limits;

  public SubscribeHandler(
      SubscribeSettings settings,
      Transport transport,
      Authorization authorization,
      Cors cors,
      FanOut fanOut,
      SubscriberCounters counters,
      Executor replayExecutor,
      SubscriptionRegistry registry,
      RequestLimits limits) {
    this.settings = settings;
    this.transport = transport;
    this.authorization = authorization;
    this.cors = cors;
    this.fanOut = fanOut;
    this.counters = counters;
    this.replayExecutor = replayExecutor;
    this.registry = registry;
    this.limits = limits;
  }

  /**
   * Handles a subscribe request. Returns {@code true} when the connection now carries an event
   * stream (and must not be used for further requests).
   */
  public boolean handle(ChannelHandlerContext ctx, HttpRequest req, Map<String, List<String>> query) {
    List<String> selectors = query.get("topic");
    if (selectors == null || selectors.isEmpty()) {
      refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, "missing \"topic\" parameter");
      return false;
    }
    if (selectors.size() > settings.maxTopics()) {
      refuse(ctx, req, HttpResponseStatus.BAD_REQUEST,
          "too many topics: at most " + settings.maxTopics() + " per subscription");
      return false;
    }
    for (String s : selectors) {
      if (s.isEmpty()) {
        refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, "empty \"topic\" parameter");
        return false;
      }
      // Each selector is compiled and held while the subscriber stays: its length is its cost.
      if (TopicLength.exceeds(s, settings.maxTopicBytes())) {
        refuse(ctx, req, HttpResponseStatus.BAD_REQUEST,
            TopicLength.refusal("topic selector", settings.maxTopicBytes()));
        return false;
      }
    }

    Authentication auth = Authentication.of(req, query, settings.cookieName(), "subscriber",
        settings.subscriberVerifier(), settings.anonymous() ? Grants.ANONYMOUS : null);
    if (auth.isRefused()) {
      refuse(ctx, req, HttpResponseStatus.UNAUTHORIZED, auth.refusal());
      return false;
    }
    Grants grants = auth.grants();
    PresentedToken token = auth.token();

    // Request limits (429): the subscribe rate, and a place among the open streams, which the
    // stream holds until its channel closes (every way a stream ends closes it).
    RequestLimits.Admission admission = limits.subscribe(LimitKeys.clientAddress(ctx.channel()), grants.subject());
    if (admission.isRefused()) {
      tooManyRequests(ctx, req, admission.refusal());
      return false;
    }
    ctx.channel().closeFuture().addListener(f -> admission.lease().release());

    String lastEventId = requestedLastEventId(req, query);

    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
        .set(HttpHeaderNames.CACHE_CONTROL,
            token != null && token.source() == PresentedToken.Source.QUERY ? "private, no-cache" : "no-cache")
        .set("X-Accel-Buffering", "no")
        .set("X-Content-Type-Options", "nosniff");
    Channel channel = ctx.channel();
    if (!(channel instanceof Http2StreamChannel)) {
      if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
        // HTTP/1.0 has no chunked encoding: the stream is the body, ended by closing.
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      } else {
        res.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
    }
    cors.apply(req, res.headers());

    LoopSubscribers home = fanOut.on(channel.eventLoop());
    // Read before this stream's own subscription events are published: those it may receive.
    // What was stored before now (answered or about to be), and what the fan-out already has.
    long publishedBefore = Math.max(transport.lastStoredSequence(), fanOut.lastReceived());
    SubscriberStream stream = new SubscriberStream(
        channel, home, selectors, grants, counters, settings.maxQueuedBytes(), lastEventId != null);
    if (registry.enabled()) {
      String subscriberId = SubscriptionRegistry.newSubscriberId();
      stream.onClose(() -> registry.removed(subscriberId));
      registry.added(subscriberId, selectors, grants.payloadJson());
    }
    if (lastEventId == null) {
      // Live only means what is published from now on. An update acknowledged before this
      // request may not have reached this loop yet (the 200 goes out before the hand-over to
      // the fan-out, and its dispatch task may still be queued): without this, such an update
      // would arrive live though it was published before the stream.
      stream.resumeAfter(publishedBefore);
    }
    stream.open();

    if (lastEventId == null) {
      startStream(channel, res, stream);
      stream.flush();
      return true;
    }
    String requested = lastEventId;
    try {
      replayExecutor.execute(() -> locateAndReplay(channel, res, stream, requested));
    } catch (RejectedExecutionException shuttingDown) {
      channel.close();
    }
    return true;
  }

  /**
   * The ID the subscriber last saw: the {@code Last-Event-ID} header (UTF-8, as browsers send it),
   * else the {@code lastEventID} query parameter; {@code null} when neither is given or the value
   * is empty. An empty ID means "live only", as in Mercure's hub: a subscriber that never saw an
   * event has nothing to resume from, and a full replay would hand it the whole history.
   */
  private static String requestedLastEventId(HttpRequest req, Map<String, List<String>> query) {
    String header = req.headers().get("Last-Event-ID");
    String id = header == null || header.isEmpty() ? null : LastEventIdHeader.decode(header);
    if (id == null) {
      List<String> q = query.get("lastEventID");
      id = q == null || q.isEmpty() ? null : q.get(0);
    }
    return id == null || id.isEmpty() ? null : id;
  }

  /**
   * Where the subscriber resumes. Security: a private update's ID is as secret as the update. When
   * {@code lastEventId} names a private update this subscriber may not receive, the answer (the
   * {@code Last-Event-ID} response header and the replay) is exactly the one for an unknown ID,
   * so a subscriber cannot probe which private IDs exist.
   */
  private ReplayStart locate(String lastEventId, SubscriberStream stream) throws HistoryException {
    if (lastEventId.equals(EARLIEST) || lastEventId.length() > MAX_EVENT_ID_LENGTH) {
      return ReplayStart.earliest();
    }
    ReplayStart start = transport.history().locate(lastEventId);
    if (start.isEarliest()) {
      return start;
    }
    long seq = start.afterSequence();
    List<Update> found = transport.history().read(seq - 1, seq, 1);
    if (found.isEmpty()) {
      return ReplayStart.earliest(); // pruned meanwhile: as if never known
    }
    Update u = found.get(0);
    if (u.isPrivate() && !authorization.canReceivePrivate(stream.grants(), u.topics())) {
      return ReplayStart.earliest();
    }
    return start;
  }

  private void locateAndReplay(Channel channel, HttpResponse res, SubscriberStream stream, String lastEventId) {
    ReplayStart start;
    try {
      start = locate(lastEventId, stream);
    } catch (HistoryException | RuntimeException e) {
      // The position is unknown for now, not unknown to the history: replaying everything would
      // flood the subscriber with duplicates. Close instead; its client retries with the same ID.
      LOG.log(Level.WARNING, "history lookup failed, closing the subscriber so it retries: {0}", e.getMessage());
      channel.close();
      return;
    }
    ReplayStart from = start;
    channel.eventLoop().execute(() -> {
      stream.resumeAfter(from.afterSequence());
      res.headers().set("Last-Event-ID",
          from.isEarliest() ? EARLIEST : LastEventIdHeader.encode(from.foundId()));
      startStream(channel, res, stream);
      stream.flush();
      replays.submit(new Replay(stream, transport.history(), authorization, replayExecutor,
          from.afterSequence(), replays::finished));
    });
  }

  private void startStream(Channel channel, HttpResponse res, SubscriberStream stream) {
    channel.write(res, channel.voidPromise());
    stream.markStarted(HttpUtil.isTransferEncodingChunked(res));
    if (settings.retryMillis() >= 0) {
      stream.writeRaw(Unpooled.wrappedBuffer(SseEncoder.retry(settings.retryMillis())));
    }
  }

  private void refuse(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String reason) {
    FullHttpResponse res = cors.refusal(req, status, reason);
    if (status == HttpResponseStatus.UNAUTHORIZED) {
      res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    }
    Responses.send(ctx, req, res);
  }

  /** Refuses a subscribe over a request limit: 429 with {@code Retry-After} and the reason. */
  private void tooManyRequests(ChannelHandlerContext ctx, HttpRequest req, Refusal refusal) {
    Responses.send(ctx, req, cors.refusal(req, refusal.response()));
  }
}
