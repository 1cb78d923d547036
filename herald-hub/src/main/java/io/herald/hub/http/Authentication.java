package io.herald.hub.http;

import io.herald.core.auth.Grants;
import io.herald.hub.auth.InvalidTokenException;
import io.herald.hub.auth.JwtVerifier;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * Who a request is: the token it presents (see {@link PresentedToken} for where it is looked
 * up), verified, as core {@link Grants}; or the one-line reason it gets a 401. One place, so
 * publish, subscribe and the subscriptions API refuse alike.
 *
 * @param grants what the request may do, or {@code null} when refused
 * @param token the token presented, or {@code null} when none was (anonymous)
 * @param refusal the reason for a 401, or {@code null} when authenticated
 */
public record Authentication(Grants grants, PresentedToken token, String refusal) {

  /**
   * Authenticates {@code req} as a {@code role} ("publisher" or "subscriber").
   *
   * @param verifier checks the role's tokens; {@code null} when no key is configured
   * @param whenAbsent grants for a request without a token, or {@code null} if one is required
   */
  public static Authentication of(
      HttpRequest req,
      Map<String, List<String>> query,
      String cookieName,
      String role,
      JwtVerifier verifier,
      Grants whenAbsent) {
    PresentedToken token;
    try {
      token = PresentedToken.find(req, query, cookieName);
    } catch (IllegalArgumentException e) {
      return refused(e.getMessage());
    }
    if (token == null) {
      return whenAbsent != null
          ? new Authentication(whenAbsent, null, null)
          : refused(role + " token required");
    }
    if (verifier == null) {
      return refused("no " + role + " key configured");
    }
    try {
      return new Authentication(verifier.verify(token.token()), token, null);
    } catch (InvalidTokenException e) {
      return refused("invalid " + role + " token: " + e.getMessage());
    }
  }

  private static Authentication refused(String reason) {
    return new Authentication(null, null, reason);
  }

  /** Whether the request was refused ({@link #refusal()} says why). */
  public boolean isRefused() {
    return refusal != null;
  }
}
