package io.herald.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtKeysTest {
  @TempDir Path dir;

  @Test
  void algorithmNames() {
    assertThat(JwtKeys.algorithm(null)).isEqualTo(JWSAlgorithm.HS256);
    assertThat(JwtKeys.algorithm(" ")).isEqualTo(JWSAlgorithm.HS256);
    assertThat(JwtKeys.algorithm("RS512")).isEqualTo(JWSAlgorithm.RS512);
    assertThat(JwtKeys.algorithm("es256")).isEqualTo(JWSAlgorithm.ES256);
    assertThat(JwtKeys.algorithm("EdDSA")).isEqualTo(JWSAlgorithm.EdDSA);
    assertThatThrownBy(() -> JwtKeys.algorithm("none"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'none' is never accepted");
    assertThatThrownBy(() -> JwtKeys.algorithm("HS1024"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unsupported JWT algorithm 'HS1024'")
        .hasMessageContaining("HS256");
    assertThatThrownBy(() -> JwtKeys.algorithm("ES256K"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shortHmacSecretIsRefusedWithoutEchoingIt() {
    assertThatThrownBy(() -> JwtVerifier.create("!ChangeMe!", "HS256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too short: 10 bytes")
        .hasMessageNotContaining("ChangeMe");
    assertThatThrownBy(() -> JwtVerifier.create("", "HS256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no JWT key");
  }

  @Test
  void missingFileIsNamed() {
    String path = dir.resolve("nope.pem").toString();
    assertThatThrownBy(() -> JwtVerifier.create(path, "RS256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JWT public key file not found: " + path);
  }

  @Test
  void fileWithoutPemBlock() throws Exception {
    Path file = TestTokens.writePem(dir, "junk.pem", "hello");
    assertThatThrownBy(() -> JwtVerifier.create(file.toString(), "ES256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no PEM block");
  }

  @Test
  void privateKeyIsRefused() throws Exception {
    KeyPair rsa = TestTokens.rsa();
    String pem = TestTokens.pem("PRIVATE KEY", rsa.getPrivate().getEncoded());
    assertThatThrownBy(() -> JwtVerifier.create(pem, "RS256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds a private key");
  }

  @Test
  void pkcs1RsaPublicKeyGetsAConversionHint() {
    String pem = TestTokens.pem("RSA PUBLIC KEY", new byte[] {1, 2, 3});
    assertThatThrownBy(() -> JwtVerifier.create(pem, "RS256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("openssl");
  }

  @Test
  void keyTypeMustFitTheAlgorithm() throws Exception {
    String rsaPem = TestTokens.publicPem(TestTokens.rsa());
    String ecPem = TestTokens.publicPem(TestTokens.ec("secp256r1"));
    String edPem = TestTokens.publicPem(TestTokens.ed25519());
    assertThatThrownBy(() -> JwtVerifier.create(rsaPem, "ES256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid EC public key, which ES256 requires");
    assertThatThrownBy(() -> JwtVerifier.create(ecPem, "RS256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RSA");
    assertThatThrownBy(() -> JwtVerifier.create(edPem, "ES256"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JwtVerifier.create(ecPem, "ES384"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("P-256")
        .hasMessageContaining("ES384 requires");
    assertThatThrownBy(() -> JwtVerifier.create(edPem, "Ed448"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Ed25519");
  }

  @Test
  void smallRsaKeyIsRefused() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    String pem = TestTokens.publicPem(g.generateKeyPair());
    assertThatThrownBy(() -> JwtVerifier.create(pem, "RS256"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1024-bit");
  }

  @Test
  void certificatePemIsNotAcceptedWhenGarbled() {
    String pem = TestTokens.pem("CERTIFICATE", new byte[] {1, 2, 3});
    assertThatThrownBy(() -> JwtVerifier.create(pem, "RS256"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void publicKeyWithSurroundingTextAndCrlf() throws Exception {
    KeyPair rsa = TestTokens.rsa();
    String pem = "some comment\r\n" + TestTokens.publicPem(rsa).replace("\n", "\r\n") + "trailer";
    assertThat(((RSAPublicKey) JwtKeys.publicKey(pem, JWSAlgorithm.RS256)).getModulus())
        .isEqualTo(((RSAPublicKey) rsa.getPublic()).getModulus());
  }
}
