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
 */
public record Grants(
    List<String> publish, List<String> subscribe, String payloadJson, Instant expiresAt) {

  /** An anonymous subscriber: may read public updates only, forever. */
  public static final Grants ANONYMOUS = new Grants(List.of(), List.of(), null, null);

  public Grants {
    publish = publish == null ? List.of() : List.copyOf(publish);
    subscribe = subscribe == null ? List.of() : List.copyOf(subscribe);
  }
}
