package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1 and localhost and its PKCS#8 key, made by the
 * {@code openssl} CLI, for tests that serve TLS; and a client SSLContext that trusts exactly it.
 * Without openssl the test fails and names {@code scripts/test.sh}, which installs it: never skipped.
 *
 * @param cert the PEM certificate
 * @param key the PEM PKCS#8 private key
 */
public record SelfSignedCertificate(Path cert, Path key) {

  /** Makes a certificate and key in {@code dir}. */
  public static SelfSignedCertificate create(Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    if (!Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----")) {
      // An older openssl writes the traditional SEC1 form; Netty wants PKCS#8.
      Path pkcs8 = dir.resolve("key-pkcs8.pem");
      openssl(dir, "pkcs8", "-topk8", "-nocrypt", "-in", key.toString(), "-out", pkcs8.toString());
      key = pkcs8;
    }
    assertThat(Files.readString(key)).as("PKCS#8 key").startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
    return new SelfSignedCertificate(cert, key);
  }

  /** An SSLContext whose only trust anchor is this certificate. */
  public SSLContext sslContext() throws Exception {
    X509Certificate certificate;
    try (InputStream in = Files.newInputStream(cert)) {
      certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
    trustStore.load(null, null);
    trustStore.setCertificateEntry("herald-test", certificate);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trustStore);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  /** Runs the openssl CLI, failing with a clear message when it is missing or fails. */
  private static void openssl(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Path log = dir.resolve("openssl.log");
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("the openssl CLI is needed to make the test certificate (" + e.getMessage()
          + "): run scripts/test.sh, which installs it, or `apt-get install openssl`", e);
    }
    try {
      p.getOutputStream().close();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("openssl " + String.join(" ", args) + " did not finish within 60 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("openssl " + String.join(" ", args) + " exited " + p.exitValue() + ":\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
