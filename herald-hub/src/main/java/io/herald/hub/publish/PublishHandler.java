package io.herald.hub.publish;

import io.herald.core.auth.Authorization;
import io.herald.core.auth.Grants;
import io.herald.core.transport.PublishResult;
import io.herald.core.transport.Transport;
import io.herald.core.transport.TransportUnavailableException;
import io.herald.core.update.InvalidUpdateException;
import io.herald.core.update.Update;
import io.herald.core.update.UpdateRules;
import io.herald.hub.HubConfig;
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
import java.util.concurrent.CompletionException;

/**
 * Where an update enters the hub: {@code POST /.well-known/mercure}.
 *
 * <p>Steps, each refusing with a status and a one-line reason. From the head, before the body is
 * read ({@link #admit}): the content type (400), the publisher's token (401), a cookie-borne
 * token's origin (403, CSRF). Then from the body: read the form (400), validate the
 * fields (400, see {@link UpdateRules}), check every topic against {@code mercure.publish} (403),
 * then hand the update to the transport. The 200 with the ID is written only once the transport
 * says the update is stored; if it cannot be stored the publisher gets 503 and nothing is
 * dispatched.
 */
public final class PublishHandler {
  private final HubConfig config;
  private final Transport transport;
  private final Authorization authorization;
  private final UpdateRules rules;
  private final Cors cors;
  private final Set<String> publishOrigins;
  private final PublishCounters counters;
  private final RequestLimits limits;

  public PublishHandler(
      HubConfig config,
      Transport transport,
      Authorization authorization,
      UpdateRules rules,
      Cors cors,
      PublishCounters counters,
      RequestLimits limits) {
    this.config = config;
    this.transport = transport;
    this.authorization = authorization;
    this.rules = rules;
    this.cors = cors;
    this.publishOrigins = Set.copyOf(config.publishOrigins());
    this.counters = counters;
    this.limits = limits;
  }

  /**
   * Where {@link io.herald.hub.http.RequestGate} leaves the {@link Authentication} it verified
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
   * Called by {@link io.herald.hub.http.RequestGate}.
   */
  public Admission admit(Channel channel, HttpRequest req, Map<String, List<String>> query) {
    String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (contentType == null
        || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      return Admission.refused(HttpResponseStatus.BAD_REQUEST,
          "publish body must be application/x-www-form-urlencoded");
    }
    Authentication auth = Authentication.of(
        req, query, config.cookieName(), "publisher", config.publisherVerifier(), null);
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
    FullHttpResponse res = Responses.text(status, reason);
    if (retryAfter != null) {
      res.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
    }
    if (req != null) {
      cors.apply(req, res.headers());
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
    Grants grants = auth.grants();
    Map<String, List<String>> form;
    try {
      form = Query.form(req.content().toString(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, "invalid form: " + e.getMessage());
      return;
    }

    Update update;
    try {
      update = rules.validate(
          form.get("topic"),
          Query.first(form, "data"),
          Query.first(form, "id"),
          Query.first(form, "type"),
          Query.first(form, "retry"),
          form.containsKey("private"));
    } catch (InvalidUpdateException e) {
      refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    if (!authorization.canPublish(grants, update.topics())) {
      refuse(ctx, req, HttpResponseStatus.FORBIDDEN, "token does not allow publishing to these topics");
      return;
    }

    String chosenId = Query.first(form, "id");
    boolean idFromPublisher = chosenId != null && !chosenId.isEmpty();
    req.retain();
    transport.publish(update, idFromPublisher).whenComplete((result, failure) ->
        ctx.executor().execute(() -> {
          try {
            if (failure == null && result.outcome() == PublishResult.Outcome.CONFLICT) {
              // IDs are unique in the history: reusing another update's ID would let a
              // publisher make that ID's subscribers resume past updates they never got.
              counters.conflict();
              FullHttpResponse res = Responses.text(HttpResponseStatus.CONFLICT, PublishResult.CONFLICT_REASON);
              cors.apply(req, res.headers());
              Responses.send(ctx, req, res);
            } else if (failure == null) {
              if (result.outcome() == PublishResult.Outcome.DUPLICATE) {
                counters.duplicate(); // a retry: acknowledged again, stored and delivered once
              } else {
                counters.accepted();
              }
              FullHttpResponse res =
                  Responses.body(HttpResponseStatus.OK, "text/plain; charset=utf-8", result.update().id());
              cors.apply(req, res.headers());
              Responses.send(ctx, req, res);
            } else {
              Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                  ? failure.getCause() : failure;
              String reason = cause instanceof TransportUnavailableException
                  ? cause.getMessage() : "update could not be stored";
              refuse(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, reason);
            }
          } finally {
            req.release();
          }
        }));
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
    FullHttpResponse res = Responses.text(status, reason);
    cors.apply(req, res.headers());
    Responses.send(ctx, req, res);
  }

  /** Refuses a publish over a request limit: 429 with {@code Retry-After} and the reason. */
}
