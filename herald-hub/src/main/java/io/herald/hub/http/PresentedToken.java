package io.herald.hub.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The token a request presents and where it came from, looked up in the protocol's precedence:
 * {@code Authorization: Bearer} header, then the {@code authorization} query parameter, then the
 * cookie.
 *
 * <p>Where matters: a cookie is sent by the browser on its own, so a cookie-authenticated publish
 * is only trusted from the configured publish origins (CSRF), and a token in a URL makes the
 * response {@code Cache-Control: private} so no shared cache keeps it.
 *
 * @param token the compact JWS, never logged
 * @param source where it was found
 */
public record PresentedToken(String token, Source source) {
  /** Where a token was found. */
  public enum Source {
    HEADER,
    QUERY,
    COOKIE
  }

  private static final String BEARER = "Bearer ";

  /**
   * Finds the token, or returns {@code null} when the request presents none. Malformed headers
   * and cookies never throw: a request with an unreadable cookie simply presents no cookie token.
   *
   * @throws IllegalArgumentException when an {@code Authorization} header is present but is not a
   *     bearer token (one-line reason)
   */
  public static PresentedToken find(
      HttpRequest req, Map<String, List<String>> query, String cookieName) {
    String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header != null) {
      String bearer = bearer(header);
      if (bearer != null) {
        return new PresentedToken(bearer, Source.HEADER);
      }
      throw new IllegalArgumentException("Authorization header must be \"Bearer <token>\"");
    }
    List<String> fromQuery = query.get("authorization");
    if (fromQuery != null && !fromQuery.isEmpty() && !fromQuery.get(0).isEmpty()) {
      return new PresentedToken(fromQuery.get(0), Source.QUERY);
    }
    String cookies = req.headers().get(HttpHeaderNames.COOKIE);
    if (cookies != null) {
      Set<Cookie> decoded;
      try {
        decoded = ServerCookieDecoder.LAX.decode(cookies);
      } catch (RuntimeException malformed) {
        return null;
      }
      for (Cookie c : decoded) {
        if (c.name().equals(cookieName) && !c.value().isEmpty()) {
          return new PresentedToken(c.value(), Source.COOKIE);
        }
      }
    }
    return null;
  }

  /**
   * The token of an {@code Authorization} header value of the form {@code Bearer <token>} (scheme
   * case-insensitive, the token trimmed), or {@code null} when it is not one. The one bearer
   * parser: the tokens of publishers and subscribers and the metrics token are read alike.
   */
  public static String bearer(String header) {
    if (header != null && header.length() > BEARER.length()
        && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return header.substring(BEARER.length()).trim();
    }
    return null;
  }

  @Override
  public String toString() {
    return "PresentedToken[source=" + source + "]"; // never the token itself
  }
}
