package io.herald.hub.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;

/** Key pairs, PEM files and hand-made tokens for the auth tests. */
final class TestTokens {
  static final String SECRET = "!ChangeThisMercureHubJWTSecretKey!";

  private TestTokens() {}

  static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  static KeyPair ed25519() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  static String publicPem(KeyPair pair) {
    return pem("PUBLIC KEY", pair.getPublic().getEncoded());
  }

  static Path writePem(Path dir, String name, String pem) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, pem, StandardCharsets.US_ASCII);
    return file;
  }

  /** The claims {"mercure": mercure} plus exp/nbf when not null. */
  static JWTClaimsSet claims(Object mercure, Instant exp, Instant nbf) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
    if (mercure != null) {
      b.claim("mercure", mercure);
    }
    if (exp != null) {
      b.expirationTime(java.util.Date.from(exp));
    }
    if (nbf != null) {
      b.notBeforeTime(java.util.Date.from(nbf));
    }
    return b.build();
  }

  static Map<String, Object> mercure(Object publish, Object subscribe) {
    return Map.of("publish", publish, "subscribe", subscribe);
  }

  static String sign(JWSAlgorithm alg, JWSSigner signer, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  static String hs(JWSAlgorithm alg, String secret, JWTClaimsSet claims) throws Exception {
    return sign(alg, new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), claims);
  }

  /** HMAC with any key bytes, bypassing nimbus's length rules (for confusion attacks). */
  static String hsRaw(String alg, byte[] key, String payloadJson) throws Exception {
    String input = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(payloadJson);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    byte[] sig = mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
  }

  static String rs(JWSAlgorithm alg, PrivateKey key, JWTClaimsSet claims) throws Exception {
    return sign(alg, new RSASSASigner(key), claims);
  }

  static String es(JWSAlgorithm alg, PrivateKey key, JWTClaimsSet claims) throws Exception {
    return sign(alg, new ECDSASigner((ECPrivateKey) key), claims);
  }

  /** An EdDSA token signed with the JDK (nimbus's signer would need Tink). */
  static String ed(String alg, PrivateKey key, String payloadJson) throws Exception {
    String input = b64("{\"alg\":\"" + alg + "\"}") + "." + b64(payloadJson);
    Signature s = Signature.getInstance("EdDSA");
    s.initSign(key);
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
  }

  /** A token with arbitrary header and payload JSON and the given signature part. */
  static String raw(String headerJson, String payloadJson, String signature) {
    return b64(headerJson) + "." + b64(payloadJson) + "." + signature;
  }

  static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
