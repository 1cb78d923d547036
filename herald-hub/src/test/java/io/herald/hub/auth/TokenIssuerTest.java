package io.herald.hub.auth;

import static io.herald.hub.auth.TestTokens.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import io.herald.core.auth.Grants;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenIssuerTest {
  @Test
  void issuesHs256TokensTheVerifierAccepts() throws Exception {
    TokenIssuer issuer = new TokenIssuer(SECRET);
    assertThat(issuer.algorithm()).isEqualTo("HS256");
    String token = issuer.issue(List.of("https://example.com/books/{id}"), List.of("*"));
    Grants g = JwtVerifier.create(SECRET, "HS256").verify(token);
    assertThat(g.publish()).containsExactly("https://example.com/books/{id}");
    assertThat(g.subscribe()).containsExactly("*");
    assertThat(g.payloadJson()).isNull();
    assertThat(g.expiresAt()).isNull();
    assertThat(SignedJWT.parse(token).getHeader().getAlgorithm().getName()).isEqualTo("HS256");
  }

  @Test
  void roundTripsGrantsWithPayloadAndExpiry() throws Exception {
    Instant exp = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    Grants grants =
        new Grants(List.of("a"), List.of("b", "c"), "{\"user\":\"kevin\",\"n\":[1,2]}", exp);
    for (String alg : List.of("HS256", "HS384", "HS512")) {
      String secret = "s".repeat(64);
      String token = new TokenIssuer(secret, alg).issue(grants);
      assertThat(JwtVerifier.create(secret, alg).verify(token)).isEqualTo(grants);
    }
  }

  @Test
  void subjectIsIssuedAndVerifiedAsTheSubClaim() throws Exception {
    Grants grants = new Grants(List.of("a"), List.of(), null, null, "user-42");
    String token = new TokenIssuer(SECRET).issue(grants);
    assertThat(SignedJWT.parse(token).getJWTClaimsSet().getSubject()).isEqualTo("user-42");
    assertThat(JwtVerifier.create(SECRET, "HS256").verify(token)).isEqualTo(grants);
    // Without a subject there is no sub claim, and the grants name nobody.
    String anonymous = new TokenIssuer(SECRET).issue(List.of("a"), List.of());
    assertThat(SignedJWT.parse(anonymous).getJWTClaimsSet().getSubject()).isNull();
    assertThat(JwtVerifier.create(SECRET, "HS256").verify(anonymous).subject()).isNull();
  }

  @Test
  void payloadMayBeAnyJsonValue() throws Exception {
    TokenIssuer issuer = new TokenIssuer(SECRET);
    JwtVerifier verifier = JwtVerifier.create(SECRET, "HS256");
    for (String payload : List.of("\"str\"", "7", "true", "[1,\"x\"]", "{\"a\":{\"b\":null}}")) {
      String token = issuer.issue(List.of(), List.of(), payload, null);
      assertThat(verifier.verify(token).payloadJson()).isEqualTo(payload);
    }
  }

  @Test
  void expiredIssuedTokenIsRejected() {
    String token =
        new TokenIssuer(SECRET).issue(List.of("a"), List.of(), null, Instant.now().minusSeconds(60));
    assertThatThrownBy(() -> JwtVerifier.create(SECRET, "HS256").verify(token))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessage("token expired");
  }

  @Test
  void refusesNonHmacAlgorithmsAndShortSecrets() {
    assertThatThrownBy(() -> new TokenIssuer(SECRET, "RS256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HS256, HS384 or HS512");
    assertThatThrownBy(() -> new TokenIssuer(SECRET, "none"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenIssuer("short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too short");
    assertThatThrownBy(() -> new TokenIssuer("x".repeat(40), "HS512"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HS512")
        .hasMessageContaining("64");
  }

  @Test
  void refusesPayloadThatIsNotOneJsonValue() {
    TokenIssuer issuer = new TokenIssuer(SECRET);
    for (String bad : List.of("{", "1,\"w\":2", "[1,", "}")) {
      assertThatThrownBy(() -> issuer.issue(List.of(), List.of(), bad, null))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
