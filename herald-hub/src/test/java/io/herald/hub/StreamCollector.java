package io.herald.hub;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Gathers one HTTP/2 stream's response status and body text (Netty client tests). */
final class StreamCollector extends SimpleChannelInboundHandler<HttpObject> {
  final CompletableFuture<Integer> status = new CompletableFuture<>();
  /** Completes when the stream channel is closed (by either side). */
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  /** The stream channel, and the write of its request (set by {@link H2TestClient#open}). */
  volatile Channel channel;
  volatile ChannelFuture sent;
  /** The response head, for tests that check its headers. */
  final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
  private final StringBuilder body = new StringBuilder();

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
    if (msg instanceof HttpResponse r) {
      status.complete(r.status().code());
      head.complete(r);
    }
    if (msg instanceof HttpContent c) {
      synchronized (body) {
        body.append(c.content().toString(StandardCharsets.UTF_8));
        body.notifyAll();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closed.complete(null);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset stream after its response (the oversized publish) is expected.
    ctx.close();
  }

  String text() {
    synchronized (body) {
      return body.length() > 2000 ? body.substring(0, 2000) + "..." : body.toString();
    }
  }

  boolean await(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SseStream.WAIT_SECONDS);
    synchronized (body) {
      while (body.indexOf(text) < 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(body, left);
      }
      return true;
    }
  }
}
