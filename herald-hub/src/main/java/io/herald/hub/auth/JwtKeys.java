package io.herald.hub.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the hub's key configuration ({@code --publisher-jwt-key}/{@code --subscriber-jwt-key}
 * and {@code --jwt-algorithm}) into a signature verifier.
 *
 * <p>For HMAC algorithms ({@code HS256}, {@code HS384}, {@code HS512}) the key value is the
 * shared secret itself, used as its UTF-8 bytes. For the public-key algorithms ({@code RS*},
 * {@code PS*}, {@code ES256/384/512}, {@code EdDSA}, {@code Ed25519}, {@code Ed448}) it is
 * either PEM text (recognised by {@code -----BEGIN}) or the path of a PEM file holding a
 * {@code PUBLIC KEY} (SubjectPublicKeyInfo) or a {@code CERTIFICATE}.
 *
 * <p>Every problem is reported as an {@link IllegalArgumentException} whose message names it
 * (unknown algorithm, missing file, wrong key type, curve, secret too short) and never quotes a
 * secret, so the hub can print it and refuse to start.
 */
public final class JwtKeys {
  /** The algorithm used when none is configured, as in Mercure. */
  public static final String DEFAULT_ALGORITHM = "HS256";

  /**
   * Shortest accepted HMAC secret, in bytes. RFC 7518 section 3.2 requires a key at least as
   * long as the hash; nimbus enforces 256 bits for every HS algorithm when verifying.
   */
  public static final int MIN_HMAC_SECRET_BYTES = 32;

  private static final Map<String, JWSAlgorithm> SUPPORTED = supported();

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

  private JwtKeys() {}

  private static Map<String, JWSAlgorithm> supported() {
    Map<String, JWSAlgorithm> m = new LinkedHashMap<>();
    for (JWSAlgorithm a :
        List.of(
            JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512,
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
            JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519, JWSAlgorithm.Ed448)) {
      m.put(a.getName(), a);
    }
    return m;
  }

  /**
   * The algorithm named {@code name} (case as in RFC 7518, e.g. {@code HS256}, {@code EdDSA};
   * {@code null} or blank means {@link #DEFAULT_ALGORITHM}). {@code none} is refused: an
   * unsigned token proves nothing.
   */
  public static JWSAlgorithm algorithm(String name) {
    if (name == null || name.isBlank()) {
      return JWSAlgorithm.HS256;
    }
    String trimmed = name.trim();
    if (trimmed.equalsIgnoreCase("none")) {
      throw new IllegalArgumentException("JWT algorithm 'none' is never accepted");
    }
    JWSAlgorithm a = SUPPORTED.get(trimmed);
    if (a == null) {
      // Be forgiving about case only ("hs256"), never about the name itself.
      for (JWSAlgorithm candidate : SUPPORTED.values()) {
        if (candidate.getName().equalsIgnoreCase(trimmed)) {
          return candidate;
        }
      }
      throw new IllegalArgumentException(
          "unsupported JWT algorithm '" + printable(trimmed) + "'; supported: "
              + String.join(", ", SUPPORTED.keySet()));
    }
    return a;
  }

  /** Whether {@code algorithm} is an HMAC one (the key is a shared secret). */
  public static boolean isHmac(JWSAlgorithm algorithm) {
    return JWSAlgorithm.Family.HMAC_SHA.contains(algorithm);
  }

  /**
   * The verifier for {@code key} under {@code algorithm}: the secret for HMAC, otherwise PEM
   * text or a PEM file path.
   */
  public static JWSVerifier verifier(String key, JWSAlgorithm algorithm) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("no JWT key configured for " + algorithm.getName());
    }
    try {
      if (isHmac(algorithm)) {
        return new MACVerifier(hmacSecret(key));
      }
      PublicKey publicKey = publicKey(key, algorithm);
      if (JWSAlgorithm.Family.RSA.contains(algorithm)) {
        return new RSASSAVerifier((RSAPublicKey) publicKey);
      }
      if (JWSAlgorithm.Family.EC.contains(algorithm)) {
        return new ECDSAVerifier((ECPublicKey) publicKey);
      }
      return new EdDsaVerifier((EdECPublicKey) publicKey, algorithm);
    } catch (JOSEException e) {
      throw new IllegalArgumentException(
          "cannot build a " + algorithm.getName() + " verifier: " + e.getMessage(), e);
    }
  }

  /** The UTF-8 bytes of an HMAC secret, refusing ones shorter than 256 bits. */
  public static byte[] hmacSecret(String secret) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < MIN_HMAC_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "HMAC JWT secret is too short: " + bytes.length + " bytes, at least "
              + MIN_HMAC_SECRET_BYTES + " (256 bits) are required");
    }
    return bytes;
  }

  /**
   * Reads the public key for {@code algorithm} from PEM text or a PEM file, checking that its
   * type (RSA, EC on the right curve, EdDSA) fits the algorithm.
   */
  public static PublicKey publicKey(String pemOrPath, JWSAlgorithm algorithm) {
    String source = pemOrPath.contains("-----BEGIN") ? "inline PEM" : "file " + pemOrPath;
    String pem = pemOrPath.contains("-----BEGIN") ? pemOrPath : readFile(pemOrPath);
    Matcher m = PEM.matcher(pem);
    if (!m.find()) {
      throw new IllegalArgumentException(
          "no PEM block (-----BEGIN PUBLIC KEY-----) found in " + source);
    }
    String type = m.group(1);
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid base64 in the PEM block of " + source);
    }
    PublicKey key = decode(type, der, algorithm, source);
    checkFits(key, algorithm, source);
    return key;
  }

  private static PublicKey decode(String type, byte[] der, JWSAlgorithm algorithm, String source) {
    if (type.contains("PRIVATE KEY")) {
      throw new IllegalArgumentException(
          source + " holds a private key; configure the matching public key instead");
    }
    try {
      switch (type) {
        case "PUBLIC KEY":
          return KeyFactory.getInstance(keyFactory(algorithm))
              .generatePublic(new X509EncodedKeySpec(der));
        case "CERTIFICATE":
          return CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der))
              .getPublicKey();
        case "RSA PUBLIC KEY":
          throw new IllegalArgumentException(
              source + " holds a PKCS#1 'RSA PUBLIC KEY'; convert it to a 'PUBLIC KEY' with"
                  + " 'openssl rsa -RSAPublicKey_in -pubout'");
        default:
          throw new IllegalArgumentException(
              source + " holds a PEM '" + type + "', expected 'PUBLIC KEY' or 'CERTIFICATE'");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          source + " is not a valid " + keyFactory(algorithm) + " public key, which "
              + algorithm.getName() + " requires");
    }
  }

  private static void checkFits(PublicKey key, JWSAlgorithm algorithm, String source) {
    String name = algorithm.getName();
    if (JWSAlgorithm.Family.RSA.contains(algorithm)) {
      if (!(key instanceof RSAPublicKey rsa)) {
        throw wrongType(source, key, name, "an RSA");
      }
      if (rsa.getModulus().bitLength() < 2048) {
        // RFC 7518 section 3.3: 2048 bits or more.
        throw new IllegalArgumentException(
            source + " is a " + rsa.getModulus().bitLength() + "-bit RSA key; " + name
                + " requires at least 2048 bits");
      }
    } else if (JWSAlgorithm.Family.EC.contains(algorithm)) {
      if (!(key instanceof ECPublicKey ec)) {
        throw wrongType(source, key, name, "an EC");
      }
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      Set<Curve> expected = Curve.forJWSAlgorithm(algorithm);
      if (curve == null || expected == null || !expected.contains(curve)) {
        throw new IllegalArgumentException(
            source + " is an EC key on " + (curve == null ? "an unsupported curve" : curve.getName())
                + "; " + name + " requires " + (expected == null ? "?" : expected));
      }
    } else {
      if (!(key instanceof EdECPublicKey ed)) {
        throw wrongType(source, key, name, "an EdDSA");
      }
      String curve = ed.getParams().getName();
      boolean fits =
          algorithm.equals(JWSAlgorithm.EdDSA)
              || curve.equalsIgnoreCase(algorithm.getName());
      if (!fits) {
        throw new IllegalArgumentException(
            source + " is an " + curve + " key; " + name + " requires an " + name + " key");
      }
    }
  }

  private static IllegalArgumentException wrongType(
      String source, PublicKey key, String algorithm, String expected) {
    return new IllegalArgumentException(
        source + " holds " + key.getAlgorithm() + " key; " + algorithm + " requires " + expected
            + " public key");
  }

  private static String keyFactory(JWSAlgorithm algorithm) {
    if (JWSAlgorithm.Family.RSA.contains(algorithm)) {
      return "RSA";
    }
    if (JWSAlgorithm.Family.EC.contains(algorithm)) {
      return "EC";
    }
    return "EdDSA";
  }

  private static String readFile(String path) {
    try {
      return Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException | InvalidPathException e) {
      throw new IllegalArgumentException(
          "JWT public key file not found: " + path
              + " (give a PEM file path or the PEM text itself)");
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot read JWT public key file " + path + ": " + e.getClass().getSimpleName());
    }
  }

  /** Configuration text safe to echo in an error: short and printable ASCII only. */
  private static String printable(String s) {
    String cut = s.length() > 20 ? s.substring(0, 20) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }

}
