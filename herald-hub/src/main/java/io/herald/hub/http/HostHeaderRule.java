package io.herald.hub.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * HTTP/1.1 requires exactly one {@code Host} header (RFC 9112 3.2): a request with none or with
 * two gets 400 and its connection closes, since proxies and the hub could disagree about which
 * site it is for. HTTP/1.0 may omit it. HTTP/2 carries {@code :authority} instead and does not
 * use this handler.
 */
public final class HostHeaderRule extends ChannelInboundHandlerAdapter {
  private boolean failed;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (failed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest req && req.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      int hosts = req.headers().getAll(HttpHeaderNames.HOST).size();
      if (hosts != 1) {
        failed = true;
        ReferenceCountUtil.release(msg);
        Responses.failAndClose(ctx, io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST,
            hosts == 0 ? "missing Host header" : "more than one Host header");
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }
}
