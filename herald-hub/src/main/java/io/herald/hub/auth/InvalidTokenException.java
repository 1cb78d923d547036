package io.herald.hub.auth;

import io.herald.core.Reasons;

/**
 * A presented token is not acceptable: malformed, wrongly signed, of the wrong algorithm,
 * expired, not yet valid, or carrying malformed claims.
 *
 * <p>The message is one short line that never contains the token or any other text taken from
 * it, so it can go verbatim into a 401 response body or a log line. No stack trace is captured:
 * invalid tokens are an expected, client-caused event (and may arrive in floods), not a bug to
 * debug.
 */
public final class InvalidTokenException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidTokenException(String reason) {
    super(reason == null ? "invalid token" : Reasons.oneLine(reason), null, false, false);
  }
}
