package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.history.History;
import io.herald.core.history.MemoryHistory;
import io.herald.core.transport.HistoryTransport;
import io.herald.core.transport.PublishResult;
import io.herald.core.transport.Transport;
import io.herald.core.transport.UpdateListener;
import io.herald.core.update.Update;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hub's front door: what a client gets before its request reaches an endpoint. A publish is
 * authenticated from its head, before any body byte is read; slow heads and stalled bodies are
 * timed out; bodies in flight and connections are capped; HTTP/1.1 needs exactly one Host.
 *
 * <p>Everything runs over real loopback sockets. Timeouts are configured short so the test sees
 * them happen; nothing asserts on elapsed time.
 */
class FrontDoorTest {
  private static final String HUB = "/.well-known/mercure";
  private HubFixture f;

  private HubFixture hub(Consumer<HubConfig.Builder> customize) throws Exception {
    f = new HubFixture(customize);
    return f;
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static String publishHead(String auth, int contentLength) {
    return "POST " + HUB + " HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\n"
        + (auth == null ? "" : auth + "\r\n")
        + "Content-Length: " + contentLength + "\r\n\r\n";
  }

  @Test
  void aPublishWithoutAValidTokenGets401FromItsHeadBeforeAnyBodyByte() throws Exception {
    hub(b -> b.publishOrigins(List.of("https://app.example")));
    String[] withoutValidToken = {
        null,
        "Authorization: Bearer not-a-jwt",
        "Authorization: Basic dXNlcjpwYXNz",
        "Authorization: Bearer " + HubFixture.token(List.of(), List.of("*")).replace('.', 'x'),
    };
    for (String auth : withoutValidToken) {
      try (RawConnection c = RawConnection.open(f.port())) {
        // Headers announce a large body; not one byte of it is ever sent.
        String res = c.send(publishHead(auth, 900_000)).readResponse();
        assertThat(res).as("answer to a publish with %s", auth).isNotNull();
        assertThat(RawConnection.status(res)).as(res).isEqualTo(401);
        assertThat(res).containsPattern("token required|invalid publisher token|Bearer");
        assertThat(c.awaitClosed()).as("connection closed after the 401").isTrue();
      }
    }
    // A token in the query string is verified from the head as well.
    try (RawConnection c = RawConnection.open(f.port())) {
      String res = c.send(publishHead(null, 900_000).replace(HUB + " ", HUB + "?authorization=bad ")).readResponse();
      assertThat(RawConnection.status(res)).as(res).isEqualTo(401);
    }
    // A valid cookie token from a foreign origin (CSRF) is refused before the body too.
    String cookie = "Cookie: mercureAuthorization=" + HubFixture.publisherToken() + "\r\nOrigin: https://evil.example";
    try (RawConnection c = RawConnection.open(f.port())) {
      String res = c.send(publishHead(cookie, 900_000)).readResponse();
      assertThat(RawConnection.status(res)).as(res).isEqualTo(403);
      assertThat(res).contains("--publish-origins");
    }
    // With a valid token the same request is read and served.
    String publish = HubFixture.form("topic", "t", "data", "ok");
    try (RawConnection c = RawConnection.open(f.port())) {
      String res = c.send(publishHead("Authorization: Bearer " + HubFixture.publisherToken(), publish.length()) + publish)
          .readResponse();
      assertThat(RawConnection.status(res)).as(res).isEqualTo(200);
    }
  }

  @Test
  void onHttp2AnUnauthenticatedPublishGets401BeforeItsBody() throws Exception {
    hub(b -> {});
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel connection = H2TestClient.connect(group, f.port(), null);
      StreamCollector c = new StreamCollector();
      openStream(connection, c).writeAndFlush(publishRequest(null, 900_000));
      assertThat(c.status.get(20, TimeUnit.SECONDS)).isEqualTo(401);
      assertThat(c.await("publisher token required")).isTrue();
      connection.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void http11NeedsExactlyOneHostHeader() throws Exception {
    hub(b -> {});
    String missing = RawHttp.exchange(f.port(), "GET /healthz HTTP/1.1\r\n\r\n");
    assertThat(RawHttp.status(missing)).as(missing).isEqualTo(400);
    assertThat(missing).contains("missing Host header");
    String two = RawHttp.exchange(f.port(), "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    assertThat(RawHttp.status(two)).as(two).isEqualTo(400);
    assertThat(two).contains("more than one Host header");
    String http10 = RawHttp.exchange(f.port(), "GET /healthz HTTP/1.0\r\n\r\n");
    assertThat(http10).startsWith("HTTP/1.");
    assertThat(http10.substring(9, 12)).isEqualTo("200");
    String one = RawHttp.exchange(f.port(), "GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    assertThat(RawHttp.status(one)).isEqualTo(200);
  }

  @Test
  void slowAndSilentConnectionsAreClosedButEventStreamsAndSteadyBodiesAreNot() throws Exception {
    hub(b -> b.anonymous(true).headerTimeout(Duration.ofSeconds(1)).bodyTimeout(Duration.ofSeconds(60)));
    try (SseStream stream = f.subscribe(f.subscribeUri("*"))) {
      assertThat(stream.status()).isEqualTo(200);
      List<RawConnection> slow = new ArrayList<>();
      // Half a request head each (slowloris), and connections that never say anything.
      for (int i = 0; i < 20; i++) {
        slow.add(RawConnection.open(f.port()).send("GET " + HUB + "?topic=t HTTP/1.1\r\nHost: x\r\nX-Slow: " + i));
      }
      List<RawConnection> silent = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        silent.add(RawConnection.open(f.port()));
      }
      // A keep-alive connection whose response has ended, and that then stays idle.
      RawConnection idle = RawConnection.open(f.port());
      assertThat(RawConnection.status(idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readResponse())).isEqualTo(200);
      // A publish whose body is on its way: half now, the rest after the header timeout passed.
      String form = HubFixture.form("topic", "t", "data", "steady");
      RawConnection publisher = RawConnection.open(f.port())
          .send(publishHead("Authorization: Bearer " + HubFixture.publisherToken(), form.length())
              + form.substring(0, 10));

      for (RawConnection c : slow) {
        String res = c.readResponse();
        assertThat(res).as("a half-sent head is answered").isNotNull();
        assertThat(RawConnection.status(res)).isEqualTo(408);
        assertThat(res).contains("request head not complete within");
        assertThat(c.awaitClosed()).isTrue();
        c.close();
      }
      for (RawConnection c : silent) {
        assertThat(c.readResponse()).as("a silent connection is closed without an answer").isNull();
        c.close();
      }
      assertThat(idle.readResponse()).as("an idle keep-alive connection is closed").isNull();
      idle.close();

      // The header timeout has passed for everyone: the stream and the publish are still served.
      String res = publisher.send(form.substring(10)).readResponse();
      assertThat(RawConnection.status(res)).as(res).isEqualTo(200);
      String id = res.substring(res.indexOf("\r\n\r\n") + 4).trim();
      assertThat(stream.nextData().id()).isEqualTo(id);
      publisher.close();
      assertThat(metric("herald_requests_timed_out_total\\{phase=\"header\"")).isGreaterThanOrEqualTo(26);
    }
  }

  @Test
  void aPublishWaitingForStorageIsNotCutEvenAfterAHundredContinue() throws Exception {
    CompletableFuture<Void> storageResumes = new CompletableFuture<>();
    Transport slowStore = new HeldTransport(new HistoryTransport(new MemoryHistory(100)), storageResumes);
    f = new HubFixture(slowStore, b -> b.headerTimeout(Duration.ofSeconds(1)));
    String form = HubFixture.form("topic", "t", "data", "continued");
    try (RawConnection c = RawConnection.open(f.port())) {
      String head = publishHead("Authorization: Bearer " + HubFixture.publisherToken() + "\r\nExpect: 100-continue",
          form.length());
      assertThat(c.send(head).readResponse()).startsWith("HTTP/1.1 100");
      c.send(form);
      // A silent connection opened after the body was sent: once it is closed, the header
      // timeout has passed for the publisher's connection too.
      RawConnection sentinel = RawConnection.open(f.port());
      assertThat(sentinel.readResponse()).isNull();
      sentinel.close();
      storageResumes.complete(null);
      String res = c.readResponse();
      assertThat(res).as("the publish waiting for storage still gets its answer").isNotNull();
      assertThat(RawConnection.status(res)).as(res).isEqualTo(200);
      assertThat(c.readResponse()).as("then idle: closed").isNull();
    }
  }

  /** A transport whose publishes are stored only once {@code resume} completes (a slow store). */
  private record HeldTransport(Transport inner, CompletableFuture<Void> resume) implements Transport {
    @Override
    public CompletableFuture<PublishResult> publish(Update update, boolean idFromPublisher) {
      return resume.thenCompose(v -> inner.publish(update, idFromPublisher));
    }

    @Override
    public void dispatchTo(UpdateListener listener) {
      inner.dispatchTo(listener);
    }

    @Override
    public long lastStoredSequence() {
      return inner.lastStoredSequence();
    }

    @Override
    public History history() {
      return inner.history();
    }

    @Override
    public boolean isAvailable() {
      return inner.isAvailable();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  @Test
  void aStalledBodyGets408AndItsConnectionCloses() throws Exception {
    hub(b -> b.bodyTimeout(Duration.ofSeconds(1)));
    try (RawConnection c = RawConnection.open(f.port())) {
      String res = c.send(publishHead("Authorization: Bearer " + HubFixture.publisherToken(), 5000))
          .sendBody(4900).readResponse();
      assertThat(res).as("a stalled body is answered").isNotNull();
      assertThat(RawConnection.status(res)).as(res).isEqualTo(408);
      assertThat(res).contains("request body not complete within");
      assertThat(c.awaitClosed()).isTrue();
    }
    // Same on HTTP/2: the stream gets 408 and is reset, the connection keeps working.
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel connection = H2TestClient.connect(group, f.port(), null);
      StreamCollector stalled = new StreamCollector();
      Http2StreamChannel stream = openStream(connection, stalled);
      stream.write(publishRequest(HubFixture.publisherToken(), 5000));
      stream.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("a=" + "a".repeat(100), StandardCharsets.US_ASCII)));
      assertThat(stalled.status.get(20, TimeUnit.SECONDS)).isEqualTo(408);
      assertThat(stalled.await("request body not complete within")).isTrue();
      assertThat(stream.closeFuture().await(20, TimeUnit.SECONDS)).as("stream reset").isTrue();
      assertThat(connection.isActive()).isTrue();
      connection.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
    assertThat(f.publish(HubFixture.publisherToken(), "topic", "t", "data", "x").statusCode()).isEqualTo(200);
  }

  @Test
  void anIdleHttp2ConnectionIsClosedButOneCarryingAnEventStreamIsNot() throws Exception {
    hub(b -> b.anonymous(true).headerTimeout(Duration.ofSeconds(1)));
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel streaming = H2TestClient.connect(group, f.port(), null);
      StreamCollector events = new StreamCollector();
      HttpRequest subscribe = new io.netty.handler.codec.http.DefaultFullHttpRequest(
          HttpVersion.HTTP_1_1, HttpMethod.GET, HUB + "?topic=t");
      subscribe.headers().set("host", "127.0.0.1").set("accept", "text/event-stream");
      openStream(streaming, events).writeAndFlush(subscribe);
      assertThat(events.status.get(20, TimeUnit.SECONDS)).isEqualTo(200);

      Channel idle = H2TestClient.connect(group, f.port(), null);
      assertThat(idle.closeFuture().await(20, TimeUnit.SECONDS)).as("idle h2 connection closed").isTrue();

      // The idle one was closed after the timeout: the streaming one is still there and served.
      assertThat(streaming.isActive()).isTrue();
      String id = f.publishOk("topic", "t", "data", "still streaming");
      assertThat(events.await("id: " + id + "\n")).isTrue();
      streaming.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
    assertThat(metric("herald_requests_timed_out_total\\{phase=\"http2_idle\"")).isEqualTo(1);
  }

  @Test
  void aBodySentToAnEndpointThatTakesNoneIsDroppedUnbuffered() throws Exception {
    hub(b -> b.maxBodyBytes(64 * 1024));
    // 200 KB, chunked, to /healthz: not collected (so not even refused as too large), just dropped.
    StringBuilder chunks = new StringBuilder();
    for (int i = 0; i < 25; i++) {
      chunks.append(Integer.toHexString(8192)).append("\r\n").append("x".repeat(8192)).append("\r\n");
    }
    try (RawConnection c = RawConnection.open(f.port())) {
      String res = c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          + chunks + "0\r\n\r\n").readResponse();
      assertThat(RawConnection.status(res)).as(res).isEqualTo(200);
      // The connection is still in step: the next request on it is answered.
      assertThat(RawConnection.status(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readResponse()))
          .isEqualTo(200);
    }
  }

  @Test
  void bodiesInFlightAreCappedHubWideAndTheBudgetReturnsToZero() throws Exception {
    hub(b -> b.maxBodyBytes(64 * 1024).maxBodyBytesInFlight(100_000));
    String auth = "Authorization: Bearer " + HubFixture.publisherToken();
    RawConnection first = RawConnection.open(f.port()).send(publishHead(auth, 60_000)).sendBody(1000);
    RawConnection chunked = RawConnection.open(f.port())
        .send("POST " + HUB + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + auth + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(30_000) + "\r\n")
        .sendBody(30_000).send("\r\n");
    awaitMetric("herald_http_body_bytes_in_flight", 90_000);

    // Declared: 60,000 more would pass the cap; refused at once, before its body.
    try (RawConnection second = RawConnection.open(f.port())) {
      String res = second.send(publishHead(auth, 60_000)).readResponse();
      assertThat(RawConnection.status(res)).as(res).isEqualTo(503);
      assertThat(res).containsIgnoringCase("Retry-After:").contains("request bodies in flight");
    }
    // Chunked: refused as its chunks pass the cap.
    String res = chunked.send(Integer.toHexString(20_000) + "\r\n").sendBody(20_000).send("\r\n").readResponse();
    assertThat(RawConnection.status(res)).as(res).isEqualTo(503);
    chunked.close();
    // Abandoned half-way: its reservation goes with the connection.
    first.close();
    awaitMetric("herald_http_body_bytes_in_flight", 0);
    // Consumed: a publish reserves and releases.
    assertThat(f.publish(HubFixture.publisherToken(), "topic", "t", "data", "y".repeat(50_000)).statusCode()).isEqualTo(200);
    awaitMetric("herald_http_body_bytes_in_flight", 0);
    assertThat(metric("herald_request_bodies_refused_total\\{reason=\"in_flight\"")).isEqualTo(2);
  }

  @Test
  void connectionsAreCappedPerAddressAndInTotal() throws Exception {
    hub(b -> b.maxConnectionsPerAddress(3).maxConnections(6));
    List<RawConnection> open = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      open.add(served(RawConnection.open(f.port(), "127.0.0.1")));
    }
    try (RawConnection fourth = RawConnection.open(f.port(), "127.0.0.1")) {
      assertThat(fourth.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readResponse())
          .as("the 4th connection from 127.0.0.1 is closed at accept").isNull();
    }
    open.add(served(RawConnection.open(f.port(), "127.0.0.2")));
    open.add(served(RawConnection.open(f.port(), "127.0.0.3")));
    open.add(served(RawConnection.open(f.port(), "127.0.0.4")));
    try (RawConnection seventh = RawConnection.open(f.port(), "127.0.0.5")) {
      assertThat(seventh.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readResponse())
          .as("the 7th connection overall is closed at accept").isNull();
    }
    // A closed connection frees its place.
    open.remove(0).close();
    RawConnection again = null;
    for (int attempt = 0; attempt < 50 && again == null; attempt++) {
      RawConnection c = RawConnection.open(f.port(), "127.0.0.1");
      if (c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readResponse() != null) {
        again = c;
      } else {
        c.close();
        Thread.sleep(100); // the hub has not seen the close yet
      }
    }
    assertThat(again).as("a freed place is given again").isNotNull();
    open.add(again);
    String metrics = again.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
    assertThat(metrics).contains("herald_connections_refused_total{reason=\"per_address\"}")
        .contains("herald_connections_refused_total{reason=\"total\"}");
    for (RawConnection c : open) {
      c.close();
    }
  }

  private static RawConnection served(RawConnection c) throws Exception {
    String res = c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
    assertThat(res).as("connection served").isNotNull();
    assertThat(RawConnection.status(res)).isEqualTo(200);
    return c;
  }

  private static HttpRequest publishRequest(String token, int contentLength) {
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, HUB);
    req.headers().set("host", "127.0.0.1").set("content-type", "application/x-www-form-urlencoded")
        .set("content-length", contentLength);
    if (token != null) {
      req.headers().set("authorization", "Bearer " + token);
    }
    return req;
  }

  private static Http2StreamChannel openStream(Channel connection, StreamCollector c) throws InterruptedException {
    return new Http2StreamChannelBootstrap(connection)
        .handler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), c);
          }
        })
        .open().sync().getNow();
  }

  /** The value of the first sample whose name and labels start with {@code pattern} (regex), or -1. */
  private long metric(String pattern) throws Exception {
    HttpResponse<String> res = f.http.send(
        java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher m = Pattern.compile("(?m)^" + pattern + "[^ ]* ([0-9.E+-]+)$").matcher(res.body());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }

  private void awaitMetric(String name, long value) throws Exception {
    long seen = -1;
    for (int i = 0; i < 200; i++) {
      seen = metric(name);
      if (seen == value) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(name + " is " + seen + ", expected " + value);
  }
}
