package io.herald.hub.publish;

import io.herald.hub.http.Authentication;
import io.herald.hub.http.Cors;
import io.herald.hub.http.PresentedToken;
import io.herald.hub.http.Responses;
import io.herald.hub.limits.LimitKeys;
import io.herald.hub.limits.Refusal;
import io.herald.hub.limits.RequestLimits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides from a publish's head alone, before any byte of its body is read, whether it may send
 * its body: the content type (400), the publisher's token (401), a cookie-borne token's origin
 * (403, CSRF), the request limits of its address and subject (429). A client without a valid
 * token so never makes the hub hold its body. Used by {@link PublishGate}; shared by every
 * connection.
 */
public final class PublishAdmission {
  /**
   * Where {@link PublishGate} leaves the {@link Authentication} it verified from a publish's
   * head, for {@link PublishHandler} to take once the body is complete: the token is verified
   * once, before the body.
   */
  static final AttributeKey<Authentication> ADMITTED = AttributeKey.valueOf("herald.publish.admitted");

  private final PublishSettings settings;
  private final Cors cors;
  private final Set<String> publishOrigins;
  private final PublishCounters counters;
  private final RequestLimits limits;

  public PublishAdmission(PublishSettings settings, Cors cors, PublishCounters counters, RequestLimits limits) {
    this.settings = settings;
    this.cors = cors;
    this.publishOrigins = Set.copyOf(settings.publishOrigins());
    this.counters = counters;
    this.limits = limits;
  }

  /**
   * What {@link #admit} decided from a publish's head.
   *
   * @param authentication the verified publisher, when admitted
   * @param status the refusal's status, or {@code null} when admitted
   * @param reason the refusal's one-line reason
   * @param retryAfter the {@code Retry-After} seconds of a 429, or {@code null}
   */
  record Admission(Authentication authentication, HttpResponseStatus status, String reason, String retryAfter) {
    boolean admitted() {
      return status == null;
    }

    static Admission refused(HttpResponseStatus status, String reason) {
      return new Admission(null, status, reason, null);
    }
  }

  /** Decides from the request head alone: 400, 401, 403 or 429, or admitted with its publisher. */
  Admission admit(Channel channel, HttpRequest req, Map<String, List<String>> query) {
    String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
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
  void refuseBeforeBody(
      ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String reason, String retryAfter) {
    counters.refused(status.code());
    FullHttpResponse res = req != null ? cors.refusal(req, status, reason) : Responses.text(status, reason);
    if (retryAfter != null) {
      res.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
    }
    Responses.failAndClose(ctx, res);
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
}
