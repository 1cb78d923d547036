package io.herald.hub.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeyLengthException;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.herald.core.auth.Grants;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signs HMAC (HS256, HS384, HS512) tokens carrying a {@code mercure} claim: for
 * {@code herald token}, the hub's startup banner, and tests.
 *
 * <p>The claim is {@code {"publish": [...], "subscribe": [...], "payload": ...}} (payload only
 * when given), plus {@code exp} when an expiry is given and {@code sub} when a subject is. The
 * secret is used as its UTF-8 bytes, exactly as {@link JwtVerifier} does; nimbus requires at least 256, 384 and 512 bits for
 * HS256, HS384 and HS512 respectively when signing.
 *
 * <p>Thread-safe.
 */
public final class TokenIssuer {
  private final JWSAlgorithm algorithm;
  private final MACSigner signer;

  /** An HS256 issuer. */
  public TokenIssuer(String secret) {
    this(secret, JwtKeys.DEFAULT_ALGORITHM);
  }

  /** An issuer for {@code algorithm}, which must be HS256, HS384 or HS512. */
  public TokenIssuer(String secret, String algorithm) {
    JWSAlgorithm alg = JwtKeys.algorithm(algorithm);
    if (!JwtKeys.isHmac(alg)) {
      throw new IllegalArgumentException(
          "tokens can only be issued with HS256, HS384 or HS512, not " + alg.getName());
    }
    byte[] key = JwtKeys.hmacSecret(secret);
    int minBytes = alg.equals(JWSAlgorithm.HS512) ? 64 : alg.equals(JWSAlgorithm.HS384) ? 48 : 32;
    if (key.length < minBytes) {
      throw new IllegalArgumentException(
          "HMAC JWT secret is too short for " + alg.getName() + ": " + key.length
              + " bytes, at least " + minBytes + " are required");
    }
    try {
      this.signer = new MACSigner(key);
    } catch (KeyLengthException e) {
      throw new IllegalArgumentException("HMAC JWT secret rejected: " + e.getMessage(), e);
    }
    this.algorithm = alg;
  }

  /** A token allowing {@code publish} and {@code subscribe}, without payload or expiry. */
  public String issue(List<String> publish, List<String> subscribe) {
    return issue(publish, subscribe, null, null);
  }

  /** A token carrying exactly {@code grants}. */
  public String issue(Grants grants) {
    return issue(grants.publish(), grants.subscribe(), grants.payloadJson(), grants.expiresAt(),
        grants.subject());
  }

  /**
   * A token with the given selectors, {@code payloadJson} (any JSON value as text, or null) as
   * {@code mercure.payload}, and {@code expiresAt} (or null for none) as {@code exp}.
   */
  public String issue(
      List<String> publish, List<String> subscribe, String payloadJson, Instant expiresAt) {
    return issue(publish, subscribe, payloadJson, expiresAt, null);
  }

  /** As {@link #issue(List, List, String, Instant)}, with {@code subject} (or null) as {@code sub}. */
  public String issue(
      List<String> publish, List<String> subscribe, String payloadJson, Instant expiresAt, String subject) {
    Map<String, Object> mercure = new LinkedHashMap<>();
    mercure.put("publish", publish == null ? List.of() : List.copyOf(publish));
    mercure.put("subscribe", subscribe == null ? List.of() : List.copyOf(subscribe));
    if (payloadJson != null) {
      mercure.put("payload", parseJsonValue(payloadJson));
    }
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().claim(MercureClaims.CLAIM, mercure);
    if (expiresAt != null) {
      claims.expirationTime(Date.from(expiresAt));
    }
    if (subject != null) {
      claims.subject(subject);
    }
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).build(), claims.build());
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /** The algorithm tokens are signed with. */
  public String algorithm() {
    return algorithm.getName();
  }

  /** Parses any JSON value (nimbus only parses objects, so wrap it in one). */
  private static Object parseJsonValue(String json) {
    Map<String, Object> wrapper;
    try {
      wrapper = JSONObjectUtils.parse("{\"v\":" + json + "\n}");
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("payload is not valid JSON");
    }
    // Text like `1,"w":2` parses as a wider object: not a single value.
    if (wrapper.size() != 1 || !wrapper.containsKey("v")) {
      throw new IllegalArgumentException("payload is not a single JSON value");
    }
    return wrapper.get("v");
  }
}
