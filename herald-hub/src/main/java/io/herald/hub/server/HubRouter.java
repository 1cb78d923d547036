package io.herald.hub.server;

import io.herald.hub.http.Responses;
import io.herald.hub.http.Query;
import io.herald.hub.http.Cors;
import io.herald.hub.ops.OpsHandler;
import io.herald.hub.page.PageHandler;
import io.herald.hub.publish.PublishHandler;
import io.herald.hub.subscribe.SubscribeHandler;
import io.herald.hub.subscriptions.SubscriptionsHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;

/**
 * Sends each complete request to the handler of its endpoint, with the protocol's answers for
 * wrong methods, unknown paths and CORS preflights.
 *
 * <p>Stateless and shared by every connection, HTTP/1.1 and HTTP/2 alike. Once a connection
 * carries an event stream, any further request on it (HTTP/1.1 pipelining) is ignored.
 */
@ChannelHandler.Sharable
public final class HubRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final System.Logger LOG = System.getLogger(HubRouter.class.getName());
  public static final String HUB_PATH = "/.well-known/mercure";
  private static final io.netty.util.AttributeKey<Boolean> STREAMING =
      io.netty.util.AttributeKey.valueOf("herald.streaming");

  private final PublishHandler publish;
  private final SubscribeHandler subscribe;
  private final PageHandler page;
  private final SubscriptionsHandler subscriptions;
  private final OpsHandler ops;
  private final boolean metricsHere;
  private final Cors cors;
  private final Availability availability;

  public HubRouter(
      PublishHandler publish,
      SubscribeHandler subscribe,
      SubscriptionsHandler subscriptions,
      OpsHandler ops,
      boolean metricsHere,
      PageHandler page,
      Cors cors,
      Availability availability) {
    this.subscriptions = subscriptions;
    this.ops = ops;
    this.metricsHere = metricsHere;
    this.publish = publish;
    this.subscribe = subscribe;
    this.page = page;
    this.cors = cors;
    this.availability = availability;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (Boolean.TRUE.equals(ctx.channel().attr(STREAMING).get())) {
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
    if (availability.isDraining() && !OpsHandler.owns(path)) {
      FullHttpResponse res = Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "hub is shutting down");
      res.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
      Responses.failAndClose(ctx, res);
      return;
    }
    HttpMethod method = req.method();
    if (path.equals(HUB_PATH)) {
      if (method.equals(HttpMethod.GET)) {
        if (subscribe.handle(ctx, req, query)) {
          ctx.channel().attr(STREAMING).set(Boolean.TRUE);
        }
      } else if (method.equals(HttpMethod.POST)) {
        publish.handle(ctx, req, query);
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

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Connection resets and broken pipes are the normal end of a stream: not worth a stack trace.
    // A client gone in the middle of its body (PrematureChannelClosureException) is one too.
    if (cause instanceof IOException || cause instanceof io.netty.handler.codec.PrematureChannelClosureException) {
      LOG.log(Level.DEBUG, "connection error: {0}", cause.toString());
    } else {
      LOG.log(Level.WARNING, "unexpected error on " + ctx.channel() + ", closing it", cause);
    }
    ctx.close();
  }

  /** Tells the router whether the hub is draining (shutting down gracefully). */
  public interface Availability {
    boolean isDraining();
  }
}
