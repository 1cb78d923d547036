package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS end to end: a self-signed certificate made by the {@code openssl} CLI, a hub serving it,
 * and the JDK's HttpClient trusting exactly that certificate. ALPN must pick {@code h2} for an
 * HTTP/2 client and {@code http/1.1} for an HTTP/1.1-only one; both subscribe and publish over
 * TLS. Never skipped: without openssl the test fails and names {@code scripts/test.sh}.
 */
class TlsTest {
  @TempDir Path dir;

  Path cert;
  Path key;
  HubFixture f;
  SSLContext trusting;

  @BeforeEach
  void start() throws Exception {
    SelfSignedCertificate made = SelfSignedCertificate.create(dir);
    cert = made.cert();
    key = made.key();
    trusting = made.sslContext();
    f = new HubFixture(b -> b.anonymous(true).tls(cert, key));
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void http2ClientNegotiatesH2AndSubscribesAndPublishesOverTls() throws Exception {
    HttpClient h2 = client(HttpClient.Version.HTTP_2);
    try (SseStream s = SseStream.open(h2, httpsSubscribeUri("tls/h2"))) {
      assertThat(s.status()).isEqualTo(200);
      assertThat(s.response.version()).as("ALPN picked h2").isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(s.response.headers().firstValue("content-type")).hasValueSatisfying(
          v -> assertThat(v).startsWith("text/event-stream"));

      // The publish goes over the same TLS connection, as a second HTTP/2 stream.
      HttpResponse<String> pub = publish(h2, "topic", "tls/h2", "data", "over h2\nand TLS");
      assertThat(pub.statusCode()).as(pub.body()).isEqualTo(200);
      assertThat(pub.version()).isEqualTo(HttpClient.Version.HTTP_2);
      String id = pub.body().trim();

      SseStream.Event e = s.nextData();
      assertThat(e.id()).isEqualTo(id);
      assertThat(e.data()).isEqualTo("over h2\nand TLS");

      // A second subscriber stream on the same connection also gets the next update.
      try (SseStream second = SseStream.open(h2, httpsSubscribeUri("tls/h2"))) {
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        String id2 = publish(h2, "topic", "tls/h2", "data", "again").body().trim();
        assertThat(second.nextData().id()).isEqualTo(id2);
        assertThat(s.nextData().id()).isEqualTo(id2);
      }
    }
  }

  @Test
  void http11OnlyClientNegotiatesHttp11AndSubscribesAndPublishesOverTls() throws Exception {
    HttpClient h1 = client(HttpClient.Version.HTTP_1_1);
    try (SseStream s = SseStream.open(h1, httpsSubscribeUri("tls/h1"))) {
      assertThat(s.status()).isEqualTo(200);
      assertThat(s.response.version()).as("ALPN picked http/1.1").isEqualTo(HttpClient.Version.HTTP_1_1);

      HttpResponse<String> pub = publish(h1, "topic", "tls/h1", "data", "over http/1.1 and TLS");
      assertThat(pub.statusCode()).as(pub.body()).isEqualTo(200);
      assertThat(pub.version()).isEqualTo(HttpClient.Version.HTTP_1_1);

      SseStream.Event e = s.nextData();
      assertThat(e.id()).isEqualTo(pub.body().trim());
      assertThat(e.data()).isEqualTo("over http/1.1 and TLS");
    }
  }

  @Test
  void updatesCrossBetweenH2AndHttp11Subscribers() throws Exception {
    HttpClient h2 = client(HttpClient.Version.HTTP_2);
    HttpClient h1 = client(HttpClient.Version.HTTP_1_1);
    try (SseStream over2 = SseStream.open(h2, httpsSubscribeUri("tls/both"));
        SseStream over1 = SseStream.open(h1, httpsSubscribeUri("tls/both"))) {
      assertThat(over2.status()).isEqualTo(200);
      assertThat(over1.status()).isEqualTo(200);
      assertThat(over2.response.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(over1.response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      String id = publish(h1, "topic", "tls/both", "data", "to both").body().trim();
      assertThat(over2.nextData().id()).isEqualTo(id);
      assertThat(over1.nextData().id()).isEqualTo(id);
    }
  }

  @Test
  void largeUpdatesAndThePageTravelOverH2() throws Exception {
    HttpClient h2 = client(HttpClient.Version.HTTP_2);
    HttpResponse<String> page = h2.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + f.port() + "/")).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(page.body()).contains("<div id=\"clock\">");
    // Bigger than HTTP/2's default 64 KiB flow-control window, both ways, under the body limit.
    String big = "x".repeat(300_000) + "\n" + "y".repeat(200_000);
    try (SseStream s = SseStream.open(h2, httpsSubscribeUri("tls/big"))) {
      assertThat(s.status()).isEqualTo(200);
      HttpResponse<String> pub = publish(h2, "topic", "tls/big", "data", big);
      assertThat(pub.statusCode()).as(pub.body()).isEqualTo(200);
      SseStream.Event e = s.nextData();
      assertThat(e.id()).isEqualTo(pub.body().trim());
      assertThat(e.data()).isEqualTo(big);
    }
  }

  /**
   * An oversized publish on one HTTP/2 stream gets its 413 on that stream, and the connection
   * with a subscriber stream on it carries on. Netty's HTTP/2 client here, not the JDK's: the
   * hub answers early (413 while the body is still arriving, then RST_STREAM), which is correct
   * HTTP/2 (and what curl reports), but JDK 17's HttpClient never completes such a request and
   * only gives up at its own timeout.
   */
  @Test
  void anOversizedPublishOverH2Gets413OnItsStreamAndTheConnectionCarriesOn() throws Exception {
    SslContext clientSsl = SslContextBuilder.forClient()
        .trustManager(cert.toFile())
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2))
        .build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel connection = H2TestClient.connect(group, f.port(), clientSsl);
      SslHandler ssl = connection.pipeline().get(SslHandler.class);
      assertThat(ssl.handshakeFuture().await(SseStream.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(ssl.handshakeFuture().isSuccess()).as("handshake: %s", ssl.handshakeFuture().cause()).isTrue();
      assertThat(ssl.applicationProtocol()).isEqualTo("h2");

      StreamCollector subscriber = H2TestClient.open(connection, request(HttpMethod.GET, "/.well-known/mercure?topic=tls%2Flimit", null));
      assertThat(subscriber.status.get(SseStream.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(200);

      // Default limit 1 MiB; this body is 2 MiB.
      StreamCollector tooBig = H2TestClient.open(connection, request(HttpMethod.POST, "/.well-known/mercure",
          HubFixture.form("topic", "tls/limit", "data", "z".repeat(2 << 20))));
      assertThat(tooBig.status.get(SseStream.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(413);
      assertThat(tooBig.await("larger than")).as(tooBig.text()).isTrue();

      // The same connection still works, both ways.
      StreamCollector small = H2TestClient.open(connection, request(HttpMethod.POST, "/.well-known/mercure",
          HubFixture.form("topic", "tls/limit", "data", "small")));
      assertThat(small.status.get(SseStream.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(200);
      assertThat(small.await("urn:")).as(small.text()).isTrue();
      assertThat(subscriber.await("data: small\n\n")).as(subscriber.text()).isTrue();
      assertThat(subscriber.text()).doesNotContain("zzzz");
      connection.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private FullHttpRequest request(HttpMethod method, String path, String form) {
    DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path,
        form == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(form, StandardCharsets.UTF_8));
    req.headers()
        .set(HttpHeaderNames.HOST, "127.0.0.1:" + f.port())
        .set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "https");
    if (form != null) {
      req.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded")
          .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + HubFixture.publisherToken())
          .setInt(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes());
    }
    return req;
  }



  /** One HTTP/2 stream's response status and body text. */


  @Test
  void aClientOfferingNoAlpnAtAllGetsHttp11() throws Exception {
    // Old clients (and curl --no-alpn) do not take part in ALPN: the hub must fall back to HTTP/1.1.
    try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", f.port())) {
      socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(SseStream.WAIT_SECONDS));
      socket.startHandshake();
      assertThat(socket.getApplicationProtocol()).as("no protocol negotiated").isEmpty();
      socket.getOutputStream().write(("GET /.well-known/mercure?topic=tls%2Fnoalpn HTTP/1.1\r\n"
          + "Host: 127.0.0.1:" + f.port() + "\r\nAccept: text/event-stream\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      // Headers are flushed at once; then an update published over HTTP/2 arrives in this stream.
      String line;
      while (!(line = in.readLine()).isEmpty()) {
        // skip response headers
      }
      HttpResponse<String> pub = publish(client(HttpClient.Version.HTTP_2), "topic", "tls/noalpn", "data", "no alpn");
      assertThat(pub.statusCode()).as(pub.body()).isEqualTo(200);
      String id = pub.body().trim();
      List<String> received = new ArrayList<>();
      boolean sawData = false;
      while (!sawData) {
        // Chunked transfer coding: chunk-size lines interleave with the event's lines.
        line = in.readLine();
        assertThat(line).as("stream ended; got %s", received).isNotNull();
        received.add(line);
        sawData = line.equals("data: no alpn");
      }
      assertThat(received).contains("id: " + id);
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
    // Guards against a vacuous test: trust has to come from the certificate we made.
    HttpClient untrusting = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_2)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
    assertThatThrownBy(() -> untrusting.send(
            HttpRequest.newBuilder(httpsSubscribeUri("tls/x")).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.discarding()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  private URI httpsSubscribeUri(String topic) {
    return URI.create(httpsHubUrl() + "?topic=" + HubFixture.enc(topic));
  }

  private String httpsHubUrl() {
    return "https://127.0.0.1:" + f.port() + "/.well-known/mercure";
  }

  private HttpClient client(HttpClient.Version version) {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(trusting)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  private HttpResponse<String> publish(HttpClient http, String... pairs) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(httpsHubUrl()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "Bearer " + HubFixture.publisherToken())
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(HubFixture.form(pairs)))
        .build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }
}
