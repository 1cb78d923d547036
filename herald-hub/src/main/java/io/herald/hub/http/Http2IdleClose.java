package io.herald.hub.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/2 counterpart of the header timeout: a connection that has no open stream and sends
 * no frame for that long is closed (with GOAWAY), so silent HTTP/2 connections cannot pile up.
 * A connection with a stream open (an event stream, a request in progress) is never closed for
 * idling; stalled request bodies on it are the body timeout's business ({@link RequestTimeouts}
 * in each stream).
 *
 * <p>Sits between the frame codec and the multiplexer, where every inbound frame passes.
 */
public final class Http2IdleClose extends ChannelInboundHandlerAdapter {
  private final Http2FrameCodec codec;
  private final long idleNanos;
  private final FrontDoorCounters counters;
  private long lastFrame = System.nanoTime();
  private ScheduledFuture<?> check;

  public Http2IdleClose(Http2FrameCodec codec, Duration idle, FrontDoorCounters counters) {
    this.codec = codec;
    this.idleNanos = idle.toNanos();
    this.counters = counters;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      schedule(ctx, idleNanos);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    schedule(ctx, idleNanos);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastFrame = System.nanoTime();
    ctx.fireChannelRead(msg);
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    if (idleNanos > 0 && check == null) {
      check = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void check(ChannelHandlerContext ctx) {
    check = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    long quiet = System.nanoTime() - lastFrame;
    if (quiet >= idleNanos && codec.connection().numActiveStreams() == 0) {
      counters.http2IdleClosed();
      ctx.close();
      return;
    }
    schedule(ctx, quiet >= idleNanos ? idleNanos : idleNanos - quiet);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  private void cancel() {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }
}
