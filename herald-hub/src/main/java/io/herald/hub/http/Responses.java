package io.herald.hub.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Builds and sends the hub's short responses: IDs, error reasons, small pages.
 *
 * <p>Every error is a status plus a one-line {@code text/plain} reason, so a publisher, a
 * subscriber or an operator reading a log sees why at once.
 */
public final class Responses {
  /** Set on a connection (HTTP/2: stream) once it was answered with {@link #failAndClose}. */
  private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf("herald.closing");

  private Responses() {}

  /**
   * Whether the connection (HTTP/2: stream) was answered with {@link #failAndClose}: it is
   * closing, and nothing it still sends is read as a request (the routing step drops it).
   */
  public static boolean closing(Channel channel) {
    return Boolean.TRUE.equals(channel.attr(CLOSING).get());
  }

  /**
   * Refuses a request because the hub is draining (shutting down gracefully): 503 with {@code
   * Retry-After}, and the connection closes so the client reconnects to another node.
   */
  public static void shuttingDown(ChannelHandlerContext ctx) {
    FullHttpResponse res = text(HttpResponseStatus.SERVICE_UNAVAILABLE, "hub is shutting down");
    res.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    failAndClose(ctx, res);
  }

  /** A {@code text/plain} response whose body is {@code text} and a newline. */
  public static FullHttpResponse text(HttpResponseStatus status, String text) {
    return body(status, "text/plain; charset=utf-8", text + "\n");
  }

  /** A response with the given content type and UTF-8 body. */
  public static FullHttpResponse body(HttpResponseStatus status, String contentType, String body) {
    ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
        .set("X-Content-Type-Options", "nosniff");
    return res;
  }

  /**
   * Sends a complete response, keeping the connection open when the request allows it. On
   * HTTP/2 the "connection" is a stream, which always ends with the response.
   */
  public static void send(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse res) {
    boolean keepAlive = req != null && HttpUtil.isKeepAlive(req) && res.status().code() < 500;
    if (keepAlive) {
      if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
      ctx.writeAndFlush(res, ctx.voidPromise());
    } else {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Sends an error with its one-line reason and closes the connection afterwards. */
  public static void failAndClose(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
    failAndClose(ctx, text(status, reason));
  }

  /** Sends a prepared response and closes the connection afterwards. */
  public static void failAndClose(ChannelHandlerContext ctx, FullHttpResponse res) {
    ctx.channel().attr(CLOSING).set(Boolean.TRUE);
    if (ctx.channel() instanceof Http2StreamChannel) {
      // On HTTP/2 only the stream ends. The response is complete, so tell the client to stop
      // sending its body with NO_ERROR (RFC 9113 8.1), not CANCEL: some clients treat a
      // cancelled stream as failed even after a complete response.
      // The reset goes only after the response has left: a reset drops data still queued.
      ctx.writeAndFlush(res).addListener(f -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR))
          .addListener(ChannelFutureListener.CLOSE));
      return;
    }
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(res).addListener(f -> lingerAndClose(ctx));
  }

  /**
   * Closes a connection whose client may still be sending (an oversized body refused early).
   * Closing a socket with unread input makes the kernel send a reset, and a client that is still
   * uploading then loses the answer it was sent; so the hub half-closes (the client sees the end
   * of the response), keeps discarding what arrives, and closes for good once the client does,
   * or after {@link #LINGER_SECONDS} at the latest.
   */
  private static void lingerAndClose(ChannelHandlerContext ctx) {
    if (ctx.channel() instanceof DuplexChannel duplex && duplex.isActive()) {
      duplex.shutdownOutput();
      ctx.executor().schedule(() -> ctx.channel().close(), LINGER_SECONDS, TimeUnit.SECONDS);
    } else {
      ctx.channel().close();
    }
  }

  private static final long LINGER_SECONDS = 5;
}
