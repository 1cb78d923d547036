package io.herald.hub.publish;

import io.herald.core.update.UpdateRules;
import io.herald.hub.http.Authentication;
import io.herald.hub.http.ConnectionErrors;
import io.herald.hub.http.Cors;
import io.herald.hub.http.Query;
import io.herald.hub.http.Responses;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The HTTP adapter of publishing, the last step of the publish intake ({@link PublishIntake}):
 * takes a complete {@code POST /.well-known/mercure} whose head {@link PublishGate} admitted.
 *
 * <p>Reads the form (400) and hands its fields to {@link PublishService}, which validates them
 * (400, see {@link UpdateRules}), checks every topic against {@code mercure.publish} (403), and
 * stores and dispatches the update. Its {@link PublishOutcome} becomes the answer: 200 with the
 * ID only once the update is stored, 409 for an ID held by a different update, 503 (nothing
 * dispatched) when it cannot be stored. While the hub drains, 503 before anything is read.
 *
 * <p>Stateless and shared by every connection, HTTP/1.1 and HTTP/2 alike.
 */
@ChannelHandler.Sharable
public final class PublishHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final PublishService service;
  private final PublishAdmission admission;
  private final Cors cors;
  private final PublishCounters counters;
  private final BooleanSupplier draining;

  /**
   * @param draining whether the hub is shutting down gracefully (every publish then gets 503)
   */
  public PublishHandler(
      PublishService service, PublishAdmission admission, Cors cors, PublishCounters counters, BooleanSupplier draining) {
    this.service = service;
    this.admission = admission;
    this.cors = cors;
    this.counters = counters;
    this.draining = draining;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    Map<String, List<String>> query;
    try {
      query = Query.params(req.uri());
    } catch (IllegalArgumentException e) {
      Responses.send(ctx, req, Responses.text(HttpResponseStatus.BAD_REQUEST, "invalid URI: " + e.getMessage()));
      return;
    }
    if (draining.getAsBoolean()) {
      Responses.shuttingDown(ctx);
      return;
    }
    handle(ctx, req, query);
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest req, Map<String, List<String>> query) {
    Authentication auth = ctx.channel().attr(PublishAdmission.ADMITTED).getAndSet(null);
    if (auth == null) {
      // Not through the gate (it admits every publish of the intake): decide here.
      PublishAdmission.Admission admitted = admission.admit(ctx.channel(), req, query);
      if (!admitted.admitted()) {
        admission.refuseBeforeBody(ctx, req, admitted.status(), admitted.reason(), admitted.retryAfter());
        return;
      }
      auth = admitted.authentication();
    }
    Map<String, List<String>> form;
    try {
      form = Query.form(req.content().toString(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, "invalid form: " + e.getMessage());
      return;
    }
    PublishDraft draft = new PublishDraft(
        form.get("topic"),
        Query.first(form, "data"),
        Query.first(form, "id"),
        Query.first(form, "type"),
        Query.first(form, "retry"),
        form.containsKey("private"));
    req.retain();
    service.publish(Publisher.client(auth.grants()), draft).whenComplete((outcome, failure) -> {
      Runnable answer = () -> {
        try {
          if (outcome instanceof PublishOutcome.Published published) {
            FullHttpResponse res =
                Responses.body(HttpResponseStatus.OK, "text/plain; charset=utf-8", published.id());
            cors.apply(req, res.headers());
            Responses.send(ctx, req, res);
          } else if (outcome instanceof PublishOutcome.Refused refused) {
            cors.refuse(ctx, req, status(refused), refused.reason());
          } else {
            // The service turns every store failure into an outcome: this cannot happen, and
            // if it did the update's fate is unknown, so it is answered as not stored.
            refuse(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, PublishService.NOT_STORED_REASON);
          }
        } finally {
          req.release();
        }
      };
      // A refusal the service decided at once is answered right here, in order with the
      // connection's other responses; one the transport decided comes back to the event loop.
      if (ctx.executor().inEventLoop()) {
        answer.run();
      } else {
        ctx.executor().execute(answer);
      }
    });
  }

  /** The status of each refusal the service can decide (counted there). */
  static HttpResponseStatus status(PublishOutcome.Refused refused) {
    if (refused instanceof PublishOutcome.Invalid) {
      return HttpResponseStatus.BAD_REQUEST;
    } else if (refused instanceof PublishOutcome.Forbidden) {
      return HttpResponseStatus.FORBIDDEN;
    } else if (refused instanceof PublishOutcome.Conflict) {
      return HttpResponseStatus.CONFLICT;
    }
    return HttpResponseStatus.SERVICE_UNAVAILABLE;
  }

  private void refuse(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String reason) {
    counters.refused(status.code());
    cors.refuse(ctx, req, status, reason);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ConnectionErrors.close(ctx, cause);
  }
}
