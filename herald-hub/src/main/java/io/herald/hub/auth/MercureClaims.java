package io.herald.hub.auth;

import io.herald.core.auth.Grants;
import io.herald.hub.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Maps the {@code mercure} claim of a verified token to {@link Grants}.
 *
 * <p>Strict on shape, as Mercure (Go, decoding into typed structs) is: {@code mercure} must be
 * an object, {@code publish} and {@code subscribe} arrays of strings; anything else makes the
 * whole token invalid rather than silently granting less (or more) than the issuer meant. A
 * missing claim or member grants nothing.
 */
final class MercureClaims {
  static final String CLAIM = "mercure";

  private MercureClaims() {}

  /**
   * The grants in {@code mercure} (a value from the claims set, possibly null), for the token
   * whose {@code sub} claim is {@code sub} (possibly null).
   */
  static Grants toGrants(Object mercure, Instant expiresAt, String sub) throws InvalidTokenException {
    if (mercure == null) {
      return new Grants(List.of(), List.of(), null, expiresAt, sub);
    }
    if (!(mercure instanceof Map<?, ?> claim)) {
      throw new InvalidTokenException("claim mercure must be a JSON object");
    }
    List<String> publish = selectors(claim.get("publish"), "publish");
    List<String> subscribe = selectors(claim.get("subscribe"), "subscribe");
    Object payload = claim.get("payload");
    String payloadJson;
    try {
      payloadJson = payload == null ? null : Json.write(payload);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("claim mercure.payload is not acceptable JSON");
    }
    return new Grants(publish, subscribe, payloadJson, expiresAt, sub);
  }

  private static List<String> selectors(Object value, String member)
      throws InvalidTokenException {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new InvalidTokenException("claim mercure." + member + " must be an array of strings");
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object item : list) {
      if (!(item instanceof String s)) {
        throw new InvalidTokenException(
            "claim mercure." + member + " must be an array of strings");
      }
      out.add(s);
    }
    return Collections.unmodifiableList(out);
  }
}
