package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.client.EventSource;
import io.herald.client.EventSourceListener;
import io.herald.client.HubClient;
import io.herald.client.Publication;
import io.herald.core.history.MemoryHistory;
import io.herald.core.sse.SseEvent;
import io.herald.core.transport.LocalTransport;
import io.herald.hub.HubConfig;
import io.herald.hub.HubServer;
import io.herald.hub.auth.JwtVerifier;
import io.herald.hub.auth.TokenIssuer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client over HTTP/2 (TLS + ALPN) against the real hub: two event sources multiplexed on one
 * connection, and closing one releases its stream (the hub sees the subscriber leave) while the
 * other keeps receiving. The certificate is made by the {@code openssl} CLI (scripts/test.sh
 * installs it); never skipped.
 */
class SubscribeOverHttp2Test {
  static final String KEY = "herald-h2-test-secret-long-enough-for-hs256!!";
  static final Duration SAFETY = Duration.ofSeconds(20);

  @TempDir Path dir;
  private MemoryHistory history;
  private LocalTransport transport;
  private HubServer hub;
  private HttpClient h2;
  private URI hubUrl;

  @BeforeEach
  void start() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    if (!Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----")) {
      Path pkcs8 = dir.resolve("key-pkcs8.pem"); // Netty wants PKCS#8
      openssl("pkcs8", "-topk8", "-nocrypt", "-in", key.toString(), "-out", pkcs8.toString());
      key = pkcs8;
    }
    JwtVerifier verifier = JwtVerifier.create(KEY, "HS256");
    history = new MemoryHistory(100);
    transport = new LocalTransport(history);
    hub =
        HubServer.start(
            HubConfig.builder()
                .address(new InetSocketAddress("127.0.0.1", 0))
                .publisherVerifier(verifier)
                .subscriberVerifier(verifier)
                .anonymous(true)
                .heartbeat(Duration.ofSeconds(30))
                .ioThreads(1)
                .tls(cert, key)
                .build(),
            transport);
    hubUrl = URI.create("https://127.0.0.1:" + hub.port() + "/.well-known/mercure");
    h2 =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .sslContext(trusting(cert))
            .connectTimeout(SAFETY)
            .build();
  }

  @AfterEach
  void stop() {
    hub.close();
    transport.close();
    history.close();
  }

  private void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      throw new AssertionError("this test needs the openssl CLI (scripts/test.sh installs it)", e);
    }
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("openssl %s: %s", args[0], output).isZero();
  }

  private static SSLContext trusting(Path certFile) throws Exception {
    X509Certificate certificate;
    try (InputStream in = Files.newInputStream(certFile)) {
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

  /** Records events and the negotiated protocol. */
  static final class Recorder implements EventSourceListener {
    final List<SseEvent> events = new CopyOnWriteArrayList<>();
    volatile HttpClient.Version version;

    @Override
    public void onOpen(EventSource source, HttpResponse<Void> response) {
      version = response.version();
    }

    @Override
    public void onEvent(EventSource source, SseEvent event) {
      events.add(event);
    }
  }

  private static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + SAFETY.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  @Test
  void twoSourcesShareAnHttp2ConnectionAndClosingOneReleasesOnlyItsStream() throws Exception {
    HubClient client =
        HubClient.builder(hubUrl)
            .httpClient(h2)
            .publisherToken(new TokenIssuer(KEY, "HS256").issue(List.of("*"), List.of(), null, null))
            .build();
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    EventSource sourceA = client.subscribe("h2/topic").listener(a).connect();
    EventSource sourceB = client.subscribe("h2/topic").listener(b).connect();
    await("both open", () -> a.version != null && b.version != null);
    assertThat(a.version).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(b.version).isEqualTo(HttpClient.Version.HTTP_2);
    await("hub sees two subscribers", () -> hub.subscriberCounters().connectedCount() == 2);

    String first = client.publish(Publication.builder("h2/topic").data("to both").build());
    await("both received", () -> a.events.size() == 1 && b.events.size() == 1);
    assertThat(a.events.get(0).id()).isEqualTo(first);

    sourceA.close();
    await("hub sees one subscriber", () -> hub.subscriberCounters().connectedCount() == 1);
    String second = client.publish(Publication.builder("h2/topic").data("to b").build());
    await("b received", () -> b.events.size() == 2);
    assertThat(b.events.get(1).id()).isEqualTo(second);
    assertThat(a.events).hasSize(1);
    sourceB.close();
    await("hub sees none", () -> hub.subscriberCounters().connectedCount() == 0);
  }
}
