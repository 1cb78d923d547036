package io.herald.hub.server;

import io.herald.hub.http.Responses;
import io.herald.hub.http.Query;
import io.herald.hub.http.Cors;
import io.herald.hub.ops.OpsHandler;
import io.herald.hub.page.PageHandler;
import io.herald.hub.subscribe.SubscribeHandler;
import io.herald.hub.subscriptions.SubscriptionsHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Sends each complete request that is not a publish to the handler of its endpoint, with the
 * protocol's answers for wrong methods, unknown paths, CORS preflights and a draining hub. A
 * publish never comes here: {@link HubRouter} hands it to the publish intake from its head.
 *
 * <p>Stateless and shared by every connection, HTTP/1.1 and HTTP/2 alike. Once a connection
 * carries an event stream, any further request on it (HTTP/1.1 pipelining) is ignored.
 */
public final class Endpoints {
  private static final AttributeKey<Boolean> STREAMING = AttributeKey.valueOf("herald.streaming");

  private final SubscribeHandler subscribe;
  private final PageHandler page;
  private final SubscriptionsHandler subscriptions;
  private final OpsHandler ops;
  private final boolean metricsHere;
  private final Cors cors;
  private final BooleanSupplier draining;

  /** @param draining whether the hub is shutting down gracefully (then 503 but for ops) */
  public Endpoints(
      SubscribeHandler subscribe,
      SubscriptionsHandler subscriptions,
      OpsHandler ops,
      boolean metricsHere,
      PageHandler page,
      Cors cors,
      BooleanSupplier draining) {
    this.subscriptions = subscriptions;
    this.ops = ops;
    this.metricsHere = metricsHere;
    this.subscribe = subscribe;
    this.page = page;
    this.cors = cors;
    this.draining = draining;
  }

  /** Whether the connection (HTTP/2: stream) carries an event stream: it takes no more requests. */
  static boolean streaming(Channel channel) {
    return Boolean.TRUE.equals(channel.attr(STREAMING).get());
  }

  /** Answers one complete request; the caller releases it afterwards. */
  void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (streaming(ctx.channel())) {
      return;
    }
    Map<String, List<String>> query;
    String path;
    try {
      path = Query.path(req.uri());
      query = Query.params(req.uri());
    } catch (IllegalArgumentException e) {
      Responses.send(ctx, req, Responses.text(HttpResponseStatus.BAD_REQUEST, "invalid URI: " + e.getMessage()));
      return;
    }
    if (draining.getAsBoolean() && !OpsHandler.owns(path)) {
      Responses.shuttingDown(ctx);
      return;
    }
    HttpMethod method = req.method();
    if (path.equals(HubRouter.HUB_PATH)) {
      // A POST here is a publish: the router sent it to the publish intake from its head.
      if (method.equals(HttpMethod.GET)) {
        if (subscribe.handle(ctx, req, query)) {
          ctx.channel().attr(STREAMING).set(Boolean.TRUE);
        }
      } else if (method.equals(HttpMethod.OPTIONS)) {
        preflight(ctx, req);
      } else {
        methodNotAllowed(ctx, req, "GET, POST, OPTIONS");
      }
    } else if (SubscriptionsHandler.owns(rawPath(req.uri()))) {
      if (method.equals(HttpMethod.GET)) {
        subscriptions.handle(ctx, req, rawPath(req.uri()), query);
      } else if (method.equals(HttpMethod.OPTIONS)) {
        preflight(ctx, req);
      } else {
        methodNotAllowed(ctx, req, "GET, OPTIONS");
      }
    } else if (OpsHandler.owns(path)) {
      ops.handle(ctx, req, path, metricsHere);
    } else if (path.equals("/") || path.equals("/index.html")) {
      if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
        page.handle(ctx, req);
      } else {
        methodNotAllowed(ctx, req, "GET, HEAD");
      }
    } else {
      Responses.send(ctx, req, Responses.text(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + abbreviate(path)));
    }
  }

  private void preflight(ChannelHandlerContext ctx, FullHttpRequest req) {
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (!cors.allows(origin)) {
      Responses.send(ctx, req, Responses.text(HttpResponseStatus.FORBIDDEN, "origin not allowed by --cors-origins"));
      return;
    }
    FullHttpResponse res = Responses.body(HttpResponseStatus.NO_CONTENT, "text/plain", "");
    res.headers().remove(HttpHeaderNames.CONTENT_TYPE);
    cors.applyPreflight(req, res.headers());
    Responses.send(ctx, req, res);
  }

  private static void methodNotAllowed(ChannelHandlerContext ctx, FullHttpRequest req, String allow) {
    FullHttpResponse res = Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed: " + req.method());
    res.headers().set(HttpHeaderNames.ALLOW, allow);
    Responses.send(ctx, req, res);
  }

  private static String rawPath(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("[\\p{Cntrl}]", "?");
    return clean.length() <= 100 ? clean : clean.substring(0, 100) + "...";
  }
}
