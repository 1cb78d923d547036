package io.herald.bench;

import io.herald.core.sse.SseLimitExceededException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * The handler of one subscriber connection: sends the subscribe request when connected, checks
 * for a 200, and feeds the body to the subscriber's parser. One instance per connection.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {
  private final Subscriber subscriber;
  private final Template.Endpoint endpoint;
  private final List<String> headers;
  private final SubscriberPool pool;
  /** Whether this connection got its 200 and is streaming. */
  private boolean streaming;

  StreamHandler(Subscriber subscriber, Template.Endpoint endpoint, List<String> headers, SubscriberPool pool) {
    this.subscriber = subscriber;
    this.endpoint = endpoint;
    this.headers = headers;
    this.pool = pool;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    DefaultFullHttpRequest req = new DefaultFullHttpRequest(
        HttpVersion.HTTP_1_1, HttpMethod.GET, endpoint.target(), Unpooled.EMPTY_BUFFER);
    req.headers().set(HttpHeaderNames.HOST, endpoint.hostHeader())
        .set(HttpHeaderNames.ACCEPT, "text/event-stream")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    for (String h : headers) {
      int colon = h.indexOf(':');
      req.headers().add(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
    }
    String last = subscriber.lastEventId();
    if (!last.isEmpty()) {
      req.headers().set("Last-Event-ID", last);
    }
    ctx.writeAndFlush(req);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpResponse res) {
        if (res.status().code() == 200) {
          streaming = true;
          pool.streaming(subscriber, ctx.channel());
        } else {
          pool.failed(ctx.channel());
          ctx.close();
          return;
        }
      }
      if (msg instanceof HttpContent content && streaming) {
        subscriber.parser.feed(content.content().nioBuffer());
      }
    } catch (SseLimitExceededException e) {
      ctx.close();
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    subscriber.parser.endOfStream();
    pool.ended(subscriber, ctx.channel(), streaming);
    streaming = false;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
