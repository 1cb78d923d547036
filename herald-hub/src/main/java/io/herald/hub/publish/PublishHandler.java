package io.herald.hub.publish;

import io.herald.core.update.UpdateRules;
import io.herald.hub.http.Authentication;
import io.herald.hub.http.Cors;
import io.herald.hub.http.PresentedToken;
import io.herald.hub.http.Query;
import io.herald.hub.http.Responses;
import io.herald.hub.limits.LimitKeys;
import io.herald.hub.limits.Refusal;
import io.herald.hub.limits.RequestLimits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP adapter of publishing: {@code POST /.well-known/mercure}.
 *
 * <p>Steps, each refusing with a status and a one-line reason. From the head, before the body is
 * read ({@link #admit}): the content type (400), the publisher's token (401), a cookie-borne
 * token's origin (403, CSRF), the request limits (429). Then from the body: read the form (400)
 * and hand its fields to {@link PublishService}, which validates them (400, see {@link
 * UpdateRules}), checks every topic against {@code mercure.publish} (403), and stores and
 * dispatches the update. Its {@link PublishOutcome} becomes the answer: 200 with the ID only once
 * the update is stored, 409 for an ID held by a different update, 503 (nothing dispatched) when
 * it cannot be stored.
 */
public final class PublishHandler {
  private final PublishSettings settings;
  private final PublishService service;
  private final Cors cors;
  private final Set<String> publishOrigins;
  private final PublishCounters counters;
  private final RequestLimits limits;

  public PublishHandler(
      PublishSettings settings,
      PublishService service,
      Cors cors,
      PublishCounters counters,
      RequestLimits limits) {
    this.settings = settings;
    this.service = service;
    this.cors = cors;
    this.publishOrigins = Set.copyOf(settings.publishOrigins());
    this.counters = counters;
    this.limits = limits;
  }

  /**
   * Where the front door ({@code server/RequestGate}) leaves the {@link Authentication} it verified
   * from a publish's head, for {@link #handle} to take: the token is verified once, before the
   * body.
   */
  public static final AttributeKey<Authentication> ADMITTED = AttributeKey.valueOf("herald.publish.admitted");

  /**
   * What {@link #admit} decided from a publish's head.
   *
   * @param authentication the verified publisher, when admitted
   * @param status the refusal's status, or {@code null} when admitted
   * @param reason the refusal's one-line reason
   * @param retryAfter the {@code Retry-After} seconds of a 429, or {@code null}
   */
  public record Admission(
      Authentication authentication, HttpResponseStatus status, String reason, String retryAfter) {
    public boolean admitted() {
      return status == null;
    }

    static Admission refused(HttpResponseStatus status, String reason) {
      return new Admission(null, status, reason, null);
    }
  }

  /**
   * Decides from the request head alone, before any body byte is read, whether a publish may
   * send its body: the content type (400), the publisher's token (401) and, for a token from a
   * cookie, the origin (403, CSRF), then the request limits of its address and subject (429).
   * Called by the front door ({@code server/RequestGate}).
   */
  public Admission admit(Channel channel, HttpRequest req, Map<String, List<String>> query) {
    String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (contentType == null
        || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      return Admission.refused(HttpResponseStatus.BAD_REQUEST,
          "publish body must be application/x-www-form-urlencoded");
    }
    Authentication auth = Authentication.of(
        req, query, settings.cookieName(), "publisher", settings.publisherVerifier(), null);
    if (auth.isRefused()) {
      return Admission.refused(HttpResponseStatus.UNAUTHORIZED, auth.refusal());
    }
    if (auth.token().source() == PresentedToken.Source.COOKIE && !fromPublishOrigin(req)) {
      // A browser attaches the cookie to any site's request: without this check, any page the
      // user visits could publish in their name.
      return Admission.refused(HttpResponseStatus.FORBIDDEN,
          "cookie-authenticated publish refused: origin not in --publish-origins");
    }
    Refusal limited = limits.publish(LimitKeys.clientAddress(channel), auth.grants().subject());
    if (limited != null) {
      return new Admission(null, HttpResponseStatus.TOO_MANY_REQUESTS, limited.reason(),
          Long.toString(limited.retryAfterSeconds()));
    }
    return new Admission(auth, null, null, null);
  }

  /**
   * Refuses a publish from its head: counted, with CORS headers so a page can read the reason,
   * and the connection closed after the answer (HTTP/2: the stream reset) since the body the
   * client may be sending is not read.
   */
  public void refuseBeforeBody(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String reason) {
    refuseBeforeBody(ctx, req, status, reason, null);
  }

  /** As {@link #refuseBeforeBody(ChannelHandlerContext, HttpRequest, HttpResponseStatus, String)}, with {@code Retry-After}. */
  public void refuseBeforeBody(
      ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String reason, String retryAfter) {
    counters.refused(status.code());
    FullHttpResponse res = req != null ? cors.refusal(req, status, reason) : Responses.text(status, reason);
    if (retryAfter != null) {
      res.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
    }
    Responses.failAndClose(ctx, res);
  }

  public void handle(ChannelHandlerContext ctx, FullHttpRequest req, Map<String, List<String>> query) {
    Authentication auth = ctx.channel().attr(ADMITTED).getAndSet(null);
    if (auth == null) {
      // Not through the gate (it admits every publish in the hub's pipelines): decide here.
      Admission admission = admit(ctx.channel(), req, query);
      if (!admission.admitted()) {
        refuseBeforeBody(ctx, req, admission.status(), admission.reason(), admission.retryAfter());
        return;
      }
      auth = admission.authentication();
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

  private boolean fromPublishOrigin(HttpRequest req) {
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin == null) {
      String referer = req.headers().get(HttpHeaderNames.REFERER);
      if (referer == null) {
        return false;
      }
      try {
        URI u = URI.create(referer);
        if (u.getScheme() == null || u.getHost() == null) {
          return false;
        }
        origin = u.getScheme() + "://" + u.getRawAuthority();
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    return publishOrigins.contains("*") || publishOrigins.contains(origin);
  }

  private void refuse(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String reason) {
    counters.refused(status.code());
    cors.refuse(ctx, req, status, reason);
  }
}
