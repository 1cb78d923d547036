package io.herald.hub.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.herald.core.auth.Grants;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies compact JWS tokens presented to the hub and turns them into {@link Grants}.
 *
 * <p>What is checked, in order: the token's size and syntax; that its {@code alg} header is
 * exactly the configured algorithm; that it declares no critical header extension; the
 * signature; that the payload is a JSON claims set; {@code exp} and {@code nbf} (each with
 * {@link #DEFAULT_CLOCK_SKEW} of tolerance for clocks that disagree a little); the shape of the
 * {@code mercure} claim.
 *
 * <p><b>Why the algorithm is pinned.</b> The {@code alg} header is chosen by whoever made the
 * token. Trusting it enables the classic attacks: {@code none} (no signature at all) and key
 * confusion (an {@code HS256} token "signed" with the RSA public key, which is public, used as
 * an HMAC secret). The verifier therefore accepts one configured algorithm and nothing else;
 * {@code none} cannot even be configured.
 *
 * <p><b>Why a cache.</b> A subscriber presents the same token on every reconnection, and a
 * publisher on every request; RSA and EC verifications are not free. Successful verifications
 * are kept in a bounded map keyed by the full token string (signature included, so a hit is a
 * token already verified byte for byte). {@code exp} is checked again on every hit. When the map
 * is full it is cleared; only tokens up to {@link #MAX_CACHED_TOKEN_LENGTH} chars are cached, so
 * the cache's memory stays bounded. Failures are not cached.
 *
 * <p>The verifier never logs and never puts token text in its exception messages.
 *
 * <p>Thread-safe.
 */
public final class JwtVerifier {
  /** Tolerance for {@code exp} and {@code nbf}, for issuer and hub clocks that disagree. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(5);

  /** Default number of verified tokens remembered. */
  public static final int DEFAULT_CACHE_SIZE = 4096;

  /** Longer tokens are rejected unparsed (Mercure tokens are a few hundred bytes). */
  public static final int MAX_TOKEN_LENGTH = 32 * 1024;

  /** Longer tokens are verified every time rather than cached. */
  public static final int MAX_CACHED_TOKEN_LENGTH = 4 * 1024;

  private final JWSAlgorithm algorithm;
  private final JWSVerifier verifier;
  private final Duration clockSkew;
  private final Clock clock;
  private final int cacheSize;
  private final ConcurrentHashMap<String, Grants> cache = new ConcurrentHashMap<>();

  private JwtVerifier(
      JWSAlgorithm algorithm, JWSVerifier verifier, Duration clockSkew, Clock clock, int cacheSize) {
    this.algorithm = algorithm;
    this.verifier = verifier;
    this.clockSkew = clockSkew;
    this.clock = clock;
    this.cacheSize = cacheSize;
  }

  /**
   * A verifier for {@code key} under {@code algorithm} ({@code null} means {@code HS256}):
   * for HS* the key is the secret (UTF-8, at least 32 bytes); otherwise PEM text or the path of
   * a PEM file. Throws IllegalArgumentException naming any configuration problem.
   */
  public static JwtVerifier create(String key, String algorithm) {
    return create(key, algorithm, DEFAULT_CLOCK_SKEW, Clock.systemUTC(), DEFAULT_CACHE_SIZE);
  }

  /** As {@link #create(String, String)} with explicit skew, clock, and cache size (0: none). */
  public static JwtVerifier create(
      String key, String algorithm, Duration clockSkew, Clock clock, int cacheSize) {
    Objects.requireNonNull(clockSkew, "clockSkew");
    Objects.requireNonNull(clock, "clock");
    if (clockSkew.isNegative()) {
      throw new IllegalArgumentException("clock skew must not be negative");
    }
    JWSAlgorithm alg = JwtKeys.algorithm(algorithm);
    return new JwtVerifier(alg, JwtKeys.verifier(key, alg), clockSkew, clock, cacheSize);
  }

  /** The one algorithm accepted, e.g. {@code HS256}. */
  public String algorithm() {
    return algorithm.getName();
  }

  /**
   * Verifies {@code compactJws} and returns what it grants. Throws only
   * InvalidTokenException, whatever the input (including null).
   */
  public Grants verify(String compactJws) throws InvalidTokenException {
    if (compactJws == null || compactJws.isEmpty()) {
      throw new InvalidTokenException("missing token");
    }
    if (compactJws.length() > MAX_TOKEN_LENGTH) {
      throw new InvalidTokenException("token too long");
    }
    Instant now = clock.instant();
    Grants cached = cache.get(compactJws);
    if (cached != null) {
      if (expired(cached.expiresAt(), now)) {
        cache.remove(compactJws);
        throw new InvalidTokenException("token expired");
      }
      return cached;
    }
    Grants grants = verifyUncached(compactJws, now);
    remember(compactJws, grants);
    return grants;
  }

  private Grants verifyUncached(String token, Instant now) throws InvalidTokenException {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException | RuntimeException | StackOverflowError e) {
      // Includes "alg":"none": nimbus parses that as an unsecured JWT, not a SignedJWT.
      throw new InvalidTokenException("malformed token");
    }
    JWSHeader header = jwt.getHeader();
    if (!algorithm.equals(header.getAlgorithm())) {
      throw new InvalidTokenException("token algorithm is not " + algorithm.getName());
    }
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      // We implement no JWS extension, so a token that requires one must be refused (RFC 7515
      // section 4.1.11); nimbus's verifiers do so too, but the EdDSA one here is our own.
      throw new InvalidTokenException("token has unsupported critical headers");
    }
    boolean valid;
    try {
      valid = jwt.verify(verifier);
    } catch (JOSEException | RuntimeException e) {
      valid = false;
    }
    if (!valid) {
      throw new InvalidTokenException("invalid token signature");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException | StackOverflowError e) {
      throw new InvalidTokenException("token claims are malformed");
    }
    Instant expiresAt = instant(claims.getExpirationTime());
    if (expired(expiresAt, now)) {
      throw new InvalidTokenException("token expired");
    }
    Instant notBefore = instant(claims.getNotBeforeTime());
    if (notBefore != null && now.plus(clockSkew).isBefore(notBefore)) {
      throw new InvalidTokenException("token not valid yet");
    }
    return MercureClaims.toGrants(claims.getClaim(MercureClaims.CLAIM), expiresAt, claims.getSubject());
  }

  private boolean expired(Instant expiresAt, Instant now) {
    return expiresAt != null && now.isAfter(expiresAt.plus(clockSkew));
  }

  private void remember(String token, Grants grants) {
    if (cacheSize <= 0 || token.length() > MAX_CACHED_TOKEN_LENGTH) {
      return;
    }
    if (cache.size() >= cacheSize) {
      cache.clear();
    }
    cache.put(token, grants);
  }

  private static Instant instant(Date date) {
    return date == null ? null : date.toInstant();
  }
}
