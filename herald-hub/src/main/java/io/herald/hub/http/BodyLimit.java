package io.herald.hub.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects a request body up to the configured limit; past it, answers 413 with the limit in the
 * reason and closes, so a publisher cannot make the hub buffer an unbounded body.
 *
 * <p>Used as a pipeline handler (the publish intake's aggregator), or driven as a tool through
 * {@link #collect} by a handler that completes requests whose body it drops (the router): either
 * way a request head gets the same answers (413 for a declared length over the limit, {@code
 * Expect: 100-continue} answered) and comes out as one {@code FullHttpRequest}.
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

  /**
   * Feeds one message of a request to this aggregator driven from {@code ctx}, another handler's
   * context: what it answers (100 Continue, 413) is written there. Takes ownership of {@code
   * msg}. Returns the complete request when {@code msg} completed it (or was complete already),
   * else nothing. Whoever drives it calls {@link #handlerRemoved} when its own handler is
   * removed, so a request cut short is released.
   */
  public List<Object> collect(ChannelHandlerContext ctx, HttpObject msg) throws Exception {
    List<Object> out = new ArrayList<>(1);
    if (!acceptInboundMessage(msg)) {
      out.add(msg);
      return out;
    }
    try {
      decode(ctx, msg, out);
    } finally {
      ReferenceCountUtil.release(msg);
    }
    return out;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    Responses.failAndClose(
        ctx,
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "request body larger than " + maxBytes + " bytes");
  }
}
