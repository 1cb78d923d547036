package io.herald.hub.server;

import io.herald.hub.http.BodyLimit;
import io.herald.hub.http.ConnectionErrors;
import io.herald.hub.http.Query;
import io.herald.hub.http.Responses;
import io.herald.hub.publish.PublishIntake;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Routes each request from its head, before any byte of its body is read: the one step of a
 * connection's pipeline that knows the hub's endpoints.
 *
 * <ul>
 *   <li>A publish ({@code POST} on {@link #HUB_PATH}) goes on, head and body as they arrive, to
 *       the publish intake that follows this handler in the pipeline ({@link PublishIntake}),
 *       which admits it, collects its body and answers it. It never comes back here.
 *   <li>Every other request takes no body: what it sends is read and dropped, never buffered, and
 *       the request is completed with an empty one (through a {@link BodyLimit}, so a declared
 *       length over the body limit still gets 413 and {@code Expect: 100-continue} its answer)
 *       and handed to {@link Endpoints}.
 *   <li>On a connection carrying an event stream, or one answered with {@code
 *       Responses.failAndClose} (it is closing), nothing more is routed: requests are ignored,
 *       what is closing is dropped.
 * </ul>
 *
 * <p>One instance per HTTP/1.1 connection or HTTP/2 stream.
 */
public final class HubRouter extends ChannelInboundHandlerAdapter {
  public static final String HUB_PATH = "/.well-known/mercure";

  private enum Mode { PUBLISH, PASS, DISCARD }

  private final Endpoints endpoints;
  /** Completes the requests that are not publishes; driven from this handler, never in the pipeline. */
  private final BodyLimit bodiless;
  private Mode mode = Mode.PASS;

  /** @param maxBodyBytes the body limit: a request declaring more gets 413, whatever its endpoint */
  public HubRouter(Endpoints endpoints, int maxBodyBytes) {
    this.endpoints = endpoints;
    this.bodiless = new BodyLimit(maxBodyBytes);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (Responses.closing(ctx.channel())) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest req) {
      mode = route(ctx, req);
      if (mode == Mode.PUBLISH) {
        ctx.fireChannelRead(msg);
      } else {
        complete(ctx, req);
      }
      return;
    }
    if (msg instanceof HttpContent content) {
      if (mode == Mode.PUBLISH) {
        ctx.fireChannelRead(msg);
      } else if (mode == Mode.DISCARD) {
        content.release();
        if (msg instanceof LastHttpContent) {
          mode = Mode.PASS;
          complete(ctx, LastHttpContent.EMPTY_LAST_CONTENT);
        }
      } else {
        complete(ctx, content);
      }
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private static Mode route(ChannelHandlerContext ctx, HttpRequest req) {
    if (req.method().equals(HttpMethod.POST) && HUB_PATH.equals(pathOf(req)) && !Endpoints.streaming(ctx.channel())) {
      return Mode.PUBLISH;
    }
    return BodyLimit.announcesBody(req) && !(req instanceof FullHttpMessage) ? Mode.DISCARD : Mode.PASS;
  }

  private static String pathOf(HttpRequest req) {
    try {
      return Query.path(req.uri());
    } catch (IllegalArgumentException e) {
      return null; // not a publish: the endpoints answer 400
    }
  }

  /** Feeds a part of a request without body to the aggregator; a complete one goes to its endpoint. */
  private void complete(ChannelHandlerContext ctx, HttpObject part) throws Exception {
    for (Object out : bodiless.collect(ctx, part)) {
      if (out instanceof FullHttpRequest req) {
        try {
          endpoints.handle(ctx, req);
        } finally {
          req.release();
        }
      } else {
        ctx.fireChannelRead(out);
      }
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
    bodiless.handlerRemoved(ctx); // a request cut short is released
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ConnectionErrors.close(ctx, cause);
  }
}
