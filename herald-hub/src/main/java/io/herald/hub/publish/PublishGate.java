package io.herald.hub.publish;

import io.herald.hub.http.BodyBudget;
import io.herald.hub.http.BodyLimit;
import io.herald.hub.http.FrontDoorCounters;
import io.herald.hub.http.Query;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Map;

/**
 * The first step of the publish intake: decides from a publish's head, before any byte of its
 * body is read or buffered, whether the body may be collected. Sits right before the aggregator
 * ({@link BodyLimit}); the router in front of it hands it publishes only.
 *
 * <ul>
 *   <li>A publish whose declared {@code Content-Length} is over the body limit gets 413 from the
 *       head (by the aggregator); its body is dropped as it arrives.
 *   <li>A publish is admitted by {@link PublishAdmission} (400 content type, 401 token, 403
 *       cookie origin, 429 limits) and refused at once otherwise. The verified publisher is
 *       handed on in {@link PublishAdmission#ADMITTED}.
 *   <li>An admitted body reserves its bytes in the hub-wide {@link BodyBudget}: the declared
 *       {@code Content-Length} at once, or chunk by chunk; one that does not fit gets 503 with
 *       {@code Retry-After}. The reservation is given back once the request has been handled or
 *       its connection (HTTP/2: stream) closes.
 * </ul>
 *
 * <p>One instance per HTTP/1.1 connection or HTTP/2 stream.
 */
final class PublishGate extends ChannelInboundHandlerAdapter {
  /** The {@code Retry-After} of a 503 for a full budget: bodies in flight drain within seconds. */
  static final String RETRY_AFTER_SECONDS = "1";

  private enum Mode { PUBLISH, DISCARD, REFUSED }

  private final PublishAdmission admission;
  private final BodyBudget budget;
  private final int maxBodyBytes;
  private final FrontDoorCounters counters;
  private Mode mode = Mode.PUBLISH;
  private HttpRequest head;
  /** Bytes this request holds in the budget. */
  private long reserved;
  /** Whether the reservation was made from Content-Length (else chunk by chunk). */
  private boolean declared;

  PublishGate(PublishAdmission admission, BodyBudget budget, int maxBodyBytes, FrontDoorCounters counters) {
    this.admission = admission;
    this.budget = budget;
    this.maxBodyBytes = maxBodyBytes;
    this.counters = counters;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (mode == Mode.REFUSED) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest req) {
      release();
      head = req;
      ctx.channel().attr(PublishAdmission.ADMITTED).set(null);
      mode = decide(ctx, req);
      if (mode == Mode.REFUSED) {
        ReferenceCountUtil.release(msg);
        return;
      }
      ctx.fireChannelRead(msg);
      if (msg instanceof FullHttpMessage) {
        // Complete already (an HTTP/2 request without body, an upgrade request): nothing held.
        release();
      }
      return;
    }
    if (msg instanceof HttpContent content) {
      boolean last = msg instanceof LastHttpContent;
      if (mode == Mode.DISCARD) {
        content.release();
        if (last) {
          ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        return;
      }
      if (!declared && !reserveChunk(content.content().readableBytes())) {
        content.release();
        refuseForBudget(ctx);
        return;
      }
      ctx.fireChannelRead(msg);
      if (last) {
        // The aggregator has handed the whole request to the handler, which has read it.
        release();
      }
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private Mode decide(ChannelHandlerContext ctx, HttpRequest req) {
    declared = false;
    long length = req instanceof FullHttpMessage ? -1 : HttpUtil.getContentLength(req, -1L);
    if (length > maxBodyBytes) {
      // Refused from the head by the aggregator (413); what follows is dropped.
      return Mode.DISCARD;
    }
    Map<String, List<String>> query;
    try {
      query = Query.params(req.uri());
    } catch (IllegalArgumentException e) {
      admission.refuseBeforeBody(ctx, req, HttpResponseStatus.BAD_REQUEST, "invalid URI: " + e.getMessage(), null);
      return Mode.REFUSED;
    }
    PublishAdmission.Admission admitted = admission.admit(ctx.channel(), req, query);
    if (!admitted.admitted()) {
      admission.refuseBeforeBody(ctx, req, admitted.status(), admitted.reason(), admitted.retryAfter());
      return Mode.REFUSED;
    }
    ctx.channel().attr(PublishAdmission.ADMITTED).set(admitted.authentication());
    if (req instanceof FullHttpMessage) {
      return Mode.PUBLISH;
    }
    if (length >= 0 && !HttpUtil.isTransferEncodingChunked(req)) {
      declared = true;
      if (!budget.tryReserve(length)) {
        refuseForBudget(ctx);
        return Mode.REFUSED;
      }
      reserved = length;
    }
    return Mode.PUBLISH;
  }

  /** Reserves a chunk of a body without Content-Length; past the body limit the aggregator refuses. */
  private boolean reserveChunk(int bytes) {
    long wanted = Math.min(bytes, (long) maxBodyBytes + 1 - reserved);
    if (wanted <= 0) {
      return true;
    }
    if (!budget.tryReserve(wanted)) {
      return false;
    }
    reserved += wanted;
    return true;
  }

  private void refuseForBudget(ChannelHandlerContext ctx) {
    mode = Mode.REFUSED;
    counters.bodyRefusedInFlight();
    admission.refuseBeforeBody(ctx, head, HttpResponseStatus.SERVICE_UNAVAILABLE,
        "too many request bodies in flight, retry shortly", RETRY_AFTER_SECONDS);
  }

  private void release() {
    budget.release(reserved);
    reserved = 0;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }
}
