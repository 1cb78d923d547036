package io.herald.hub.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers requests that the HTTP decoder could not read: 414 for an over-long request line, 431
 * for over-large headers, 400 for anything else malformed. The connection is closed after the
 * answer, because the decoder has lost track of where the next request would begin.
 *
 * <p>Sits right behind the HTTP/1.1 codec, so nothing malformed reaches the hub's handlers.
 */
public final class MalformedRequestGuard extends ChannelInboundHandlerAdapter {
  private boolean failed;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (failed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject obj && obj.decoderResult().isFailure()) {
      failed = true;
      DecoderResult result = obj.decoderResult();
      ReferenceCountUtil.release(msg);
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpLineException) {
        Responses.failAndClose(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
      } else if (cause instanceof TooLongHttpHeaderException) {
        Responses.failAndClose(
            ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large");
      } else if (cause instanceof TooLongFrameException) {
        Responses.failAndClose(ctx, HttpResponseStatus.BAD_REQUEST, "request too large");
      } else {
        Responses.failAndClose(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
      }
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
