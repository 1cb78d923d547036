package io.herald.hub.server;

import io.herald.hub.ops.OpsHandler;
import io.herald.hub.http.Query;
import io.herald.hub.http.Responses;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/** The admin address's only handler ({@code --admin-addr}): operator endpoints, nothing else. */
@ChannelHandler.Sharable
public final class AdminRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final OpsHandler ops;

  public AdminRouter(OpsHandler ops) {
    this.ops = ops;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    String path;
    try {
      path = Query.path(req.uri());
    } catch (IllegalArgumentException e) {
      Responses.send(ctx, req, Responses.text(HttpResponseStatus.BAD_REQUEST, "invalid URI"));
      return;
    }
    if (!req.method().equals(HttpMethod.GET)) {
      Responses.send(ctx, req, Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed"));
    } else {
      ops.handle(ctx, req, path, true);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
