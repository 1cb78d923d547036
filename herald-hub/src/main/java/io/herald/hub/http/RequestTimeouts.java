package io.herald.hub.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Time limits on what a client sends, so that slow or silent clients cannot hold connections
 * (slowloris) or half-sent bodies forever.
 *
 * <ul>
 *   <li>Header timeout (HTTP/1.1 connections only): a connection must deliver a complete request
 *       head within it from its accept, or from the end of its previous response (keep-alive
 *       idle). Past it the connection is closed: with 408 and a reason when part of a head had
 *       arrived, silently when nothing had.
 *   <li>Body timeout: a request body must be complete within it from its head. Past it: 408 and
 *       the connection closes (HTTP/2: the stream is reset).
 * </ul>
 *
 * <p>Neither runs while a response is in progress: an open event stream is a response that never
 * ends, and its connection is legitimately silent inbound for as long as it lasts. A publish whose
 * body keeps arriving is cut only when it is not complete within the body timeout.
 *
 * <p>Sits right behind the HTTP codec (it sees request heads and the responses going out), with
 * {@link #inboundBytes()} in front of the codec to tell a started head from silence. Removes
 * itself when the connection upgrades to HTTP/2, where {@link Http2IdleClose} takes over. One
 * instance per connection or stream.
 */
public final class RequestTimeouts extends ChannelDuplexHandler {
  private final long headerNanos;
  private final long bodyNanos;
  private final FrontDoorCounters counters;
  private final Inbound inbound = new Inbound();
  private ScheduledFuture<?> timer;
  /** Whether bytes arrived since the last complete head (or the accept). */
  private boolean started;
  /** Requests whose head arrived and whose response has not ended. */
  private int pending;
  /** Whether a request body is being received. */
  private boolean inBody;
  /** Timed out, or upgraded to HTTP/2: nothing more to watch. */
  private boolean done;
  /** Answered 408 or closed for a timeout: what still arrives is dropped. */
  private boolean timedOut;

  /**
   * @param headerTimeout zero for none (HTTP/2 streams, whose heads come in one piece)
   * @param bodyTimeout zero for none
   */
  public RequestTimeouts(Duration headerTimeout, Duration bodyTimeout, FrontDoorCounters counters) {
    this.headerNanos = headerTimeout.toNanos();
    this.bodyNanos = bodyTimeout.toNanos();
    this.counters = counters;
  }

  /** The handler to place in front of the HTTP codec: marks that a request head has begun. */
  public ChannelHandler inboundBytes() {
    return inbound;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      awaitHead(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    awaitHead(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (timedOut) {
      ReferenceCountUtil.release(msg); // answered already: the rest is not read
      return;
    }
    if (done) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof HttpRequest req) {
      cancel();
      started = false;
      pending++;
      if (!(msg instanceof LastHttpContent)) {
        inBody = true;
        if (bodyNanos > 0 && BodyLimit.announcesBody(req)) {
          timer = ctx.executor().schedule(() -> bodyTimedOut(ctx), bodyNanos, TimeUnit.NANOSECONDS);
        }
      }
    } else if (msg instanceof LastHttpContent) {
      inBody = false;
      cancel();
      if (pending == 0) {
        awaitHead(ctx);
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    // A 100 Continue is not the end of a response: the request's real answer is still to come.
    boolean informational = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (!done && !informational && msg instanceof LastHttpContent && pending > 0) {
      pending--;
      if (pending == 0 && !inBody) {
        awaitHead(ctx); // keep-alive idle from the end of the response
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent
        || evt instanceof CleartextHttp2ServerUpgradeHandler.PriorKnowledgeUpgradeEvent) {
      done = true;
      cancel();
      if (inbound.ctx != null) {
        ctx.pipeline().remove(inbound);
      }
      ctx.pipeline().remove(this);
    }
    ctx.fireUserEventTriggered(evt);
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

  private void awaitHead(ChannelHandlerContext ctx) {
    cancel();
    started = false;
    if (headerNanos > 0 && !done) {
      timer = ctx.executor().schedule(() -> headTimedOut(ctx), headerNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void headTimedOut(ChannelHandlerContext ctx) {
    timer = null;
    if (done || pending > 0 || !ctx.channel().isActive()) {
      return;
    }
    done = true;
    timedOut = true;
    counters.headerTimeout();
    if (started) {
      Responses.failAndClose(ctx, HttpResponseStatus.REQUEST_TIMEOUT,
          "request head not complete within " + seconds(headerNanos));
    } else {
      ctx.close();
    }
  }

  private void bodyTimedOut(ChannelHandlerContext ctx) {
    timer = null;
    if (done || !inBody || !ctx.channel().isActive()) {
      return;
    }
    done = true;
    timedOut = true;
    counters.bodyTimeout();
    Responses.failAndClose(ctx, HttpResponseStatus.REQUEST_TIMEOUT,
        "request body not complete within " + seconds(bodyNanos));
  }

  private static String seconds(long nanos) {
    long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** In front of the codec: any inbound bytes mean a request head has begun. */
  private final class Inbound extends ChannelInboundHandlerAdapter {
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      started = true;
      ctx.fireChannelRead(msg);
    }
  }
}
