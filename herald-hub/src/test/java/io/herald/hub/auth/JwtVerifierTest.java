package io.herald.hub.auth;

import static io.herald.hub.auth.TestTokens.SECRET;
import static io.herald.hub.auth.TestTokens.claims;
import static io.herald.hub.auth.TestTokens.mercure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import io.herald.core.auth.Grants;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtVerifierTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static KeyPair rsa;
  private static KeyPair otherRsa;
  private static KeyPair ec256;
  private static KeyPair ed;

  @TempDir Path dir;

  private final TestTokens.MutableClock clock = new TestTokens.MutableClock(NOW);

  @BeforeAll
  static void keys() throws Exception {
    rsa = TestTokens.rsa();
    otherRsa = TestTokens.rsa();
    ec256 = TestTokens.ec("secp256r1");
    ed = TestTokens.ed25519();
  }

  private JwtVerifier verifier(String key, String alg) {
    return JwtVerifier.create(key, alg, Duration.ofSeconds(5), clock, 100);
  }

  private static Map<String, Object> grantsClaim() {
    return mercure(List.of("https://example.com/books/{id}"), List.of("https://example.com/a"));
  }

  private static void assertInvalid(JwtVerifier v, String token, String reasonPart) {
    assertThatThrownBy(() -> v.verify(token))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining(reasonPart);
  }

  // --- valid tokens, every key kind -----------------------------------------------------------

  @Test
  void validHs256() throws Exception {
    String token = TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(grantsClaim(), null, null));
    Grants g = verifier(SECRET, "HS256").verify(token);
    assertThat(g.publish()).containsExactly("https://example.com/books/{id}");
    assertThat(g.subscribe()).containsExactly("https://example.com/a");
    assertThat(g.payloadJson()).isNull();
    assertThat(g.expiresAt()).isNull();
  }

  @Test
  void defaultAlgorithmIsHs256() throws Exception {
    String token = TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(grantsClaim(), null, null));
    JwtVerifier v = JwtVerifier.create(SECRET, null);
    assertThat(v.algorithm()).isEqualTo("HS256");
    assertThat(v.verify(token).publish()).hasSize(1);
  }

  @Test
  void validHs384AndHs512() throws Exception {
    String secret = "x".repeat(64);
    for (JWSAlgorithm alg : List.of(JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
      String token = TestTokens.hs(alg, secret, claims(grantsClaim(), null, null));
      assertThat(verifier(secret, alg.getName()).verify(token).subscribe()).hasSize(1);
    }
  }

  @Test
  void validRs256FromPemFileAndInlinePem() throws Exception {
    String token = TestTokens.rs(JWSAlgorithm.RS256, rsa.getPrivate(), claims(grantsClaim(), null, null));
    Path file = TestTokens.writePem(dir, "rsa.pem", TestTokens.publicPem(rsa));
    assertThat(verifier(file.toString(), "RS256").verify(token).publish()).hasSize(1);
    assertThat(verifier(TestTokens.publicPem(rsa), "RS256").verify(token).publish()).hasSize(1);
  }

  @Test
  void validPs256() throws Exception {
    String token = TestTokens.rs(JWSAlgorithm.PS256, rsa.getPrivate(), claims(grantsClaim(), null, null));
    assertThat(verifier(TestTokens.publicPem(rsa), "PS256").verify(token).publish()).hasSize(1);
  }

  @Test
  void validEs256() throws Exception {
    String token = TestTokens.es(JWSAlgorithm.ES256, ec256.getPrivate(), claims(grantsClaim(), null, null));
    Path file = TestTokens.writePem(dir, "ec.pem", TestTokens.publicPem(ec256));
    assertThat(verifier(file.toString(), "ES256").verify(token).subscribe()).hasSize(1);
  }

  @Test
  void validEs384AndEs512() throws Exception {
    KeyPair p384 = TestTokens.ec("secp384r1");
    KeyPair p521 = TestTokens.ec("secp521r1");
    String t384 = TestTokens.es(JWSAlgorithm.ES384, p384.getPrivate(), claims(grantsClaim(), null, null));
    String t512 = TestTokens.es(JWSAlgorithm.ES512, p521.getPrivate(), claims(grantsClaim(), null, null));
    assertThat(verifier(TestTokens.publicPem(p384), "ES384").verify(t384).publish()).hasSize(1);
    assertThat(verifier(TestTokens.publicPem(p521), "ES512").verify(t512).publish()).hasSize(1);
  }

  @Test
  void validEdDsaWithoutTink() throws Exception {
    String payload = "{\"mercure\":{\"publish\":[\"a\"],\"subscribe\":[\"b\"]}}";
    String token = TestTokens.ed("EdDSA", ed.getPrivate(), payload);
    Grants g = verifier(TestTokens.publicPem(ed), "EdDSA").verify(token);
    assertThat(g.publish()).containsExactly("a");
    assertThat(g.subscribe()).containsExactly("b");
    // The fully-specified name (RFC 9864) works too, pinned separately.
    String token2 = TestTokens.ed("Ed25519", ed.getPrivate(), payload);
    assertThat(verifier(TestTokens.publicPem(ed), "Ed25519").verify(token2).publish())
        .containsExactly("a");
    assertInvalid(verifier(TestTokens.publicPem(ed), "EdDSA"), token2, "algorithm");
  }

  // --- wrong keys and algorithm attacks --------------------------------------------------------

  @Test
  void wrongHmacSecretIsInvalid() throws Exception {
    String token = TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(grantsClaim(), null, null));
    assertInvalid(verifier("another-secret-that-is-long-enough!!", "HS256"), token, "signature");
  }

  @Test
  void wrongPublicKeysAreInvalid() throws Exception {
    String rsToken = TestTokens.rs(JWSAlgorithm.RS256, rsa.getPrivate(), claims(grantsClaim(), null, null));
    assertInvalid(verifier(TestTokens.publicPem(otherRsa), "RS256"), rsToken, "signature");
    KeyPair otherEc = TestTokens.ec("secp256r1");
    String esToken = TestTokens.es(JWSAlgorithm.ES256, ec256.getPrivate(), claims(grantsClaim(), null, null));
    assertInvalid(verifier(TestTokens.publicPem(otherEc), "ES256"), esToken, "signature");
    String edToken = TestTokens.ed("EdDSA", ed.getPrivate(), "{}");
    assertInvalid(verifier(TestTokens.publicPem(TestTokens.ed25519()), "EdDSA"), edToken, "signature");
  }

  @Test
  void algNoneIsInvalid() {
    String payload = "{\"mercure\":{\"publish\":[\"*\"]}}";
    JwtVerifier v = verifier(SECRET, "HS256");
    for (String alg : List.of("none", "None", "NONE")) {
      assertThatThrownBy(() -> v.verify(TestTokens.raw("{\"alg\":\"" + alg + "\"}", payload, "")))
          .isInstanceOf(InvalidTokenException.class);
      assertThatThrownBy(() -> v.verify(TestTokens.raw("{\"alg\":\"" + alg + "\"}", payload, "AAAA")))
          .isInstanceOf(InvalidTokenException.class);
    }
    assertThatThrownBy(() -> v.verify(TestTokens.b64("{\"alg\":\"none\"}") + "." + TestTokens.b64(payload)))
        .isInstanceOf(InvalidTokenException.class);
  }

  @Test
  void keyConfusionHs256SignedWithTheRsaPublicKeyIsInvalid() throws Exception {
    String pemText = TestTokens.publicPem(rsa);
    JwtVerifier v = verifier(pemText, "RS256");
    String payload = "{\"mercure\":{\"publish\":[\"*\"],\"subscribe\":[\"*\"]}}";
    // The attacker knows the public key in every encoding the hub might use as an HMAC secret.
    for (byte[] key :
        List.of(pemText.getBytes(StandardCharsets.US_ASCII), rsa.getPublic().getEncoded())) {
      String forged = TestTokens.hsRaw("HS256", key, payload);
      assertInvalid(v, forged, "algorithm is not RS256");
    }
  }

  @Test
  void otherAlgorithmWithTheSameSecretIsInvalid() throws Exception {
    String secret = "y".repeat(64);
    String hs512 = TestTokens.hs(JWSAlgorithm.HS512, secret, claims(grantsClaim(), null, null));
    assertInvalid(verifier(secret, "HS256"), hs512, "algorithm is not HS256");
    String ps = TestTokens.rs(JWSAlgorithm.PS256, rsa.getPrivate(), claims(grantsClaim(), null, null));
    assertInvalid(verifier(TestTokens.publicPem(rsa), "RS256"), ps, "algorithm is not RS256");
  }

  @Test
  void criticalHeaderIsInvalid() throws Exception {
    String token = TestTokens.ed("EdDSA", ed.getPrivate(), "{}");
    String header = "{\"alg\":\"EdDSA\",\"crit\":[\"exp\"],\"exp\":1}";
    String[] parts = token.split("\\.");
    String forged = TestTokens.b64(header) + "." + parts[1] + "." + parts[2];
    assertThatThrownBy(() -> verifier(TestTokens.publicPem(ed), "EdDSA").verify(forged))
        .isInstanceOf(InvalidTokenException.class);
  }

  @Test
  void tamperedPayloadIsInvalid() throws Exception {
    String token = TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(grantsClaim(), null, null));
    String[] parts = token.split("\\.");
    String forged =
        parts[0] + "." + TestTokens.b64("{\"mercure\":{\"publish\":[\"*\"]}}") + "." + parts[2];
    assertInvalid(verifier(SECRET, "HS256"), forged, "signature");
  }

  // --- time ------------------------------------------------------------------------------------

  @Test
  void expiredTokenIsInvalidBeyondTheSkew() throws Exception {
    JwtVerifier v = verifier(SECRET, "HS256");
    String justExpired =
        TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(grantsClaim(), NOW.minusSeconds(3), null));
    assertThat(v.verify(justExpired).expiresAt()).isEqualTo(NOW.minusSeconds(3));
    String expired =
        TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(grantsClaim(), NOW.minusSeconds(6), null));
    assertInvalid(v, expired, "expired");
  }

  @Test
  void notYetValidTokenIsInvalidBeyondTheSkew() throws Exception {
    JwtVerifier v = verifier(SECRET, "HS256");
    String soon = TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(grantsClaim(), null, NOW.plusSeconds(4)));
    assertThat(v.verify(soon).publish()).hasSize(1);
    String later = TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(grantsClaim(), null, NOW.plusSeconds(60)));
    assertInvalid(v, later, "not valid yet");
  }

  @Test
  void cachedTokenStillExpires() throws Exception {
    JwtVerifier v = verifier(SECRET, "HS256");
    Instant exp = NOW.plusSeconds(60);
    String token = TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(grantsClaim(), exp, null));
    Grants first = v.verify(token);
    assertThat(v.verify(token)).isSameAs(first); // served from the cache
    clock.set(exp.plusSeconds(6));
    assertInvalid(v, token, "expired");
    assertInvalid(v, token, "expired");
  }

  @Test
  void cacheIsBoundedAndNeverChangesAnswers() throws Exception {
    JwtVerifier v = JwtVerifier.create(SECRET, "HS256", Duration.ZERO, clock, 3);
    for (int i = 0; i < 20; i++) {
      Map<String, Object> m = mercure(List.of("t" + i), List.of());
      String token = TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(m, null, null));
      assertThat(v.verify(token).publish()).containsExactly("t" + i);
      assertThat(v.verify(token).publish()).containsExactly("t" + i);
    }
    JwtVerifier uncached = JwtVerifier.create(SECRET, "HS256", Duration.ZERO, clock, 0);
    String token = TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(grantsClaim(), null, null));
    assertThat(uncached.verify(token)).isNotSameAs(uncached.verify(token)).isEqualTo(uncached.verify(token));
  }

  // --- claims mapping --------------------------------------------------------------------------

  @Test
  void mapsPayloadOfAnyJsonTypeAndExp() throws Exception {
    JwtVerifier v = verifier(SECRET, "HS256");
    Instant exp = NOW.plusSeconds(3600);
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("user", "https://example.com/users/dunglas");
    payload.put("n", 42L);
    payload.put("pi", 3.5);
    payload.put("ok", true);
    payload.put("none", null);
    payload.put("list", List.of("a", 1L, Map.of("k", "v\"\n")));
    Map<String, Object> m = new LinkedHashMap<>(grantsClaim());
    m.put("payload", payload);
    Grants g = v.verify(TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(m, exp, null)));
    assertThat(g.expiresAt()).isEqualTo(exp);
    assertThat(g.payloadJson())
        .isEqualTo(
            "{\"user\":\"https://example.com/users/dunglas\",\"n\":42,\"pi\":3.5,\"ok\":true,"
                + "\"none\":null,\"list\":[\"a\",1,{\"k\":\"v\\\"\\n\"}]}");
    for (Map.Entry<String, String> c :
        Map.of("\"just a string\"", "\"just a string\"", "12", "12", "[1,\"x\"]", "[1,\"x\"]",
                "false", "false", "-1.25e3", "-1250")
            .entrySet()) {
      String token =
          TestTokens.hsRaw("HS256", SECRET.getBytes(StandardCharsets.UTF_8),
              "{\"mercure\":{\"payload\":" + c.getKey() + "}}");
      assertThat(v.verify(token).payloadJson()).as(c.getKey()).isEqualTo(c.getValue());
    }
  }

  @Test
  void subClaimBecomesTheSubject() throws Exception {
    JwtVerifier v = verifier(SECRET, "HS256");
    assertThat(v.verify(signedPayload("{\"sub\":\"alice\",\"mercure\":{}}")).subject()).isEqualTo("alice");
    assertThat(v.verify(signedPayload("{\"mercure\":{}}")).subject()).isNull();
  }

  @Test
  void missingMercureClaimOrMembersGrantNothing() throws Exception {
    JwtVerifier v = verifier(SECRET, "HS256");
    Grants none = v.verify(TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(null, null, null)));
    assertThat(none.publish()).isEmpty();
    assertThat(none.subscribe()).isEmpty();
    assertThat(none.payloadJson()).isNull();
    Grants empty = v.verify(TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(Map.of(), null, null)));
    assertThat(empty.publish()).isEmpty();
    Grants nulls = v.verify(signedPayload("{\"mercure\":{\"publish\":null,\"payload\":null}}"));
    assertThat(nulls.publish()).isEmpty();
    assertThat(nulls.payloadJson()).isNull();
  }

  private static String signedPayload(String payloadJson) throws Exception {
    return TestTokens.hsRaw("HS256", SECRET.getBytes(StandardCharsets.UTF_8), payloadJson);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"mercure\":\"publish\"}",
        "{\"mercure\":[\"*\"]}",
        "{\"mercure\":{\"publish\":\"*\"}}",
        "{\"mercure\":{\"publish\":[\"*\",1]}}",
        "{\"mercure\":{\"publish\":[[\"*\"]]}}",
        "{\"mercure\":{\"publish\":[null]}}",
        "{\"mercure\":{\"subscribe\":{\"a\":\"b\"}}}",
        "{\"mercure\":{\"subscribe\":true}}",
        "{\"exp\":\"tomorrow\",\"mercure\":{}}",
        "{\"nbf\":[1],\"mercure\":{}}",
        "[1,2]",
        "\"a string\"",
        "not json",
      })
  void malformedClaimsAreInvalidWithAOneLineReason(String payloadJson) throws Exception {
    String token = signedPayload(payloadJson);
    assertThatThrownBy(() -> verifier(SECRET, "HS256").verify(token))
        .isInstanceOf(InvalidTokenException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(token));
  }

  @Test
  void reasonsNameTheClaim() throws Exception {
    JwtVerifier v = verifier(SECRET, "HS256");
    assertInvalid(v, signedPayload("{\"mercure\":{\"publish\":\"*\"}}"),
        "claim mercure.publish must be an array of strings");
    assertInvalid(v, signedPayload("{\"mercure\":{\"subscribe\":[1]}}"),
        "claim mercure.subscribe must be an array of strings");
    assertInvalid(v, signedPayload("{\"mercure\":1}"), "claim mercure must be a JSON object");
  }

  @Test
  void deeplyNestedPayloadIsInvalidNotAStackOverflow() throws Exception {
    int depth = 5000;
    String nested = "[".repeat(depth) + "]".repeat(depth);
    String token = signedPayload("{\"mercure\":{\"payload\":" + nested + "}}");
    assertThatThrownBy(() -> verifier(SECRET, "HS256").verify(token))
        .isInstanceOf(InvalidTokenException.class);
  }

  // --- garbage ---------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", " ", "a", "a.b", "a.b.c", "..", "...", "a.b.c.d", "a.b.c.d.e", "eyJ.eyJ.x",
        "Bearer xyz", "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9..", "eyJhbGciOiJIUzI1NiJ9.e30.",
        "eyJhbGciOiJIUzI1NiJ9.e30.!!!", "e30.e30.e30", "W10.e30.AAAA", "bnVsbA.e30.AAAA",
        "\u0000\u0001.\u0002.\u0003", "\u00e9\u00e9.\u00e9.\u00e9", "%%%.%%%.%%%", "====.====.====",
      })
  void garbageOnlyEverThrowsInvalidTokenException(String garbage) {
    for (JwtVerifier v :
        List.of(verifier(SECRET, "HS256"), verifier(TestTokens.publicPem(rsa), "RS256"),
            verifier(TestTokens.publicPem(ec256), "ES256"), verifier(TestTokens.publicPem(ed), "EdDSA"))) {
      assertThatThrownBy(() -> v.verify(garbage)).isInstanceOf(InvalidTokenException.class);
    }
  }

  @Test
  void nullAndHugeTokensAreInvalid() {
    JwtVerifier v = verifier(SECRET, "HS256");
    assertInvalid(v, null, "missing");
    assertInvalid(v, "a".repeat(JwtVerifier.MAX_TOKEN_LENGTH + 1), "too long");
    String header = TestTokens.b64("{\"alg\":\"HS256\"}");
    assertThatThrownBy(() -> v.verify(header + "." + "A".repeat(30_000) + ".AAAA"))
        .isInstanceOf(InvalidTokenException.class);
  }

  @Test
  void randomMutationsOfValidTokensNeverThrowUnchecked() throws Exception {
    Random random = new Random(42);
    List<String> tokens = new ArrayList<>();
    tokens.add(TestTokens.hs(JWSAlgorithm.HS256, SECRET, claims(grantsClaim(), null, null)));
    tokens.add(TestTokens.rs(JWSAlgorithm.RS256, rsa.getPrivate(), claims(grantsClaim(), null, null)));
    List<JwtVerifier> verifiers =
        List.of(verifier(SECRET, "HS256"), verifier(TestTokens.publicPem(rsa), "RS256"));
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \"{}";
    for (int i = 0; i < 2000; i++) {
      int which = random.nextInt(tokens.size());
      StringBuilder t = new StringBuilder(tokens.get(which));
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits && t.length() > 0; e++) {
        int pos = random.nextInt(t.length());
        switch (random.nextInt(3)) {
          case 0 -> t.setCharAt(pos, alphabet.charAt(random.nextInt(alphabet.length())));
          case 1 -> t.deleteCharAt(pos);
          default -> t.insert(pos, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      try {
        verifiers.get(which).verify(t.toString());
      } catch (InvalidTokenException expected) {
        // Fine: the only exception allowed.
      }
    }
  }

  @Test
  void messagesNeverContainTheToken() throws Exception {
    String token = TestTokens.hs(JWSAlgorithm.HS256, "z".repeat(40), claims(grantsClaim(), null, null));
    assertThatThrownBy(() -> verifier(SECRET, "HS256").verify(token))
        .isInstanceOf(InvalidTokenException.class)
        .satisfies(e -> {
          assertThat(e.getMessage()).doesNotContain(token.split("\\.")[0]);
          assertThat(e.getMessage()).doesNotContain(token.split("\\.")[2]);
          assertThat(e.getStackTrace()).isEmpty();
        });
  }
}
