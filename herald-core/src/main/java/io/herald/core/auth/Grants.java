package io.herald.core.auth;

import java.time.Instant;
import java.util.List;

/**
 * What a verified token allows its bearer: the {@code mercure} claim of a JWS, decoupled from
 * any JWT library so the rules below it stay testable and library-free.
 *
 * @param publish selectors of the topics the bearer may publish to ({@code mercure.publish})
 * @param subscribe selectors of the private topics the bearer may receive
 *     ({@code mercure.subscribe})
 * @param payloadJson the {@code mercure.payload} claim serialized as JSON, or {@code null}
 * @param expiresAt when the token stops being valid, or {@code null} if it never does
 * @param subject the token's {@code sub} claim, or {@code null} when it has none (anonymous, or a
 *     token naming nobody); the key of per-subject request limits
 */
public record Grants(
    List<String> publish, List<String> subscribe, String payloadJson, Instant expiresAt, String subject) {

  /** An anonymous subscriber: may read public updates only, forever. */
  public static final Grants ANONYMOUS = new Grants(List.of(), List.of(), null, null, null);

  public Grants {
    publish = publish == null ? List.of() : List.copyOf(publish);
    subscribe = subscribe == null ? List.of() : List.copyOf(subscribe);
  }

  /** Grants of a token without a {@code sub} claim. */
  public Grants(List<String> publish, List<String> subscribe, String payloadJson, Instant expiresAt) {
    this(publish, subscribe, payloadJson, expiresAt, null);
  }
}
