package io.herald.hub.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Set;

/**
 * Cross-origin rules for browsers.
 *
 * <p>With exact origins configured, the hub echoes the request's origin and allows credentials,
 * so cookie-authenticated EventSources ({@code withCredentials}) work from those sites. With
 * {@code *}, any site may read public streams but credentials are never allowed: a browser would
 * refuse the combination anyway, and allowing it would let any site use a visitor's cookie.
 */
public final class Cors {
  private static final String ALLOWED_METHODS = "GET, POST, OPTIONS";
  private static final String DEFAULT_ALLOWED_HEADERS =
      "Authorization, Content-Type, Last-Event-ID, Cache-Control";

  private final boolean any;
  private final Set<String> origins;

  public Cors(List<String> allowedOrigins) {
    this.any = allowedOrigins.contains("*");
    this.origins = Set.copyOf(allowedOrigins);
  }

  /** Whether a request from {@code origin} may be read by the page that sent it. */
  public boolean allows(String origin) {
    return origin != null && (any || origins.contains(origin));
  }

  /** Adds the CORS headers for a simple or actual request; nothing when the origin is not allowed. */
  public void apply(HttpRequest req, HttpHeaders out) {
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (!allows(origin)) {
      return;
    }
    if (any) {
      out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    } else {
      out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
      out.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
    }
  }

  /**
   * A refusal: {@code status} with its one-line {@code text/plain} reason ({@link Responses#text})
   * and this request's CORS headers, so a page on an allowed origin can read why it was refused.
   * The one place a refusal gets its CORS headers; the caller may add more (e.g. {@code
   * WWW-Authenticate}) before sending it.
   */
  public FullHttpResponse refusal(HttpRequest req, HttpResponseStatus status, String reason) {
    return refusal(req, Responses.text(status, reason));
  }

  /** As {@link #refusal(HttpRequest, HttpResponseStatus, String)}, for a refusal already built (a 429's). */
  public FullHttpResponse refusal(HttpRequest req, FullHttpResponse refusal) {
    apply(req, refusal.headers());
    return refusal;
  }

  /** Sends {@link #refusal(HttpRequest, HttpResponseStatus, String)}, keeping the connection if it may be kept. */
  public void refuse(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String reason) {
    Responses.send(ctx, req, refusal(req, status, reason));
  }

  /** Adds the preflight answer's headers (origin already checked by the caller). */
  public void applyPreflight(HttpRequest req, HttpHeaders out) {
    apply(req, out);
    out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS);
    String requested = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
    out.set(
        HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
        requested != null && isToken(requested) ? requested : DEFAULT_ALLOWED_HEADERS);
    out.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
  }

  /** Echo requested header names only when they are plain header-name lists. */
  private static boolean isToken(String s) {
    if (s.length() > 1024) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_' || c == ',' || c == ' ';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
