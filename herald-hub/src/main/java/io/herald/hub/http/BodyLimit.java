package io.herald.hub.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Collects a request body up to the configured limit; past it, answers 413 with the limit in the
 * reason and closes, so a publisher cannot make the hub buffer an unbounded body.
 */
public final class BodyLimit extends HttpObjectAggregator {
  /** Whether a request head announces a body (a positive Content-Length, or chunked). */
  public static boolean announcesBody(HttpMessage m) {
    if (HttpUtil.isTransferEncodingChunked(m)) {
      return true;
    }
    try {
      return HttpUtil.getContentLength(m, 0L) > 0;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private final int maxBytes;

  public BodyLimit(int maxBytes) {
    super(maxBytes, true);
    this.maxBytes = maxBytes;
  }

  /**
   * With {@code Expect: 100-continue} the limit is enforced before the body is sent; give that
   * 413 the same one-line reason as the other (Netty's own has an empty body).
   */
  @Override
  protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    Object response = super.newContinueResponse(start, maxContentLength, pipeline);
    if (response instanceof FullHttpResponse r && r.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
      r.release();
      FullHttpResponse reasoned = Responses.text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "request body larger than " + maxBytes + " bytes");
      reasoned.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      return reasoned;
    }
    return response;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    Responses.failAndClose(
        ctx,
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "request body larger than " + maxBytes + " bytes");
  }
}
