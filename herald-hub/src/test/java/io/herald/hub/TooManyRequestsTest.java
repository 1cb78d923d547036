package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.hub.auth.TokenIssuer;
import io.herald.hub.limits.LimitSettings;
import io.herald.hub.limits.RequestLimits;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The request limits over real sockets: each refuses with 429, {@code Retry-After} and its reason,
 * leaves other addresses (a client bound to 127.0.0.2) and other subjects alone, and is counted in
 * {@code /metrics}; a stream's place among the open streams comes back however the stream ends.
 *
 * <p>Rates are set so low (one request per 1000 s) that a second request is refused however slow
 * the machine: nothing here depends on how long anything takes.
 */
class TooManyRequestsTest {
  private static final String A = "127.0.0.1";
  private static final String B = "127.0.0.2";
  private static final double SLOW = 0.001;

  private static String token(String subject) {
    return new TokenIssuer(HubFixture.KEY, "HS256").issue(List.of("*"), List.of("*"), null, null, subject);
  }

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  private static void assertLimited(BoundClient res, String reason) {
    assertThat(res.status).as(res.body).isEqualTo(429);
    assertThat(Long.parseLong(res.header("Retry-After"))).isPositive();
    assertThat(res.header("Content-Type")).startsWith("text/plain");
    assertThat(res.body).isEqualTo(reason + "\n");
  }

  private static double metric(HubFixture f, String series) throws Exception {
    HttpResponse<String> res = f.http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(res.body());
    if (!m.find()) {
      throw new AssertionError("no series " + series + " in:\n" + res.body());
    }
    return Double.parseDouble(m.group(1));
  }

  private static String limited(String limit, String by) {
    return "herald_requests_limited_total{by=\"" + by + "\",limit=\"" + limit + "\"}";
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SseStream.WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within " + SseStream.WAIT_SECONDS + "s");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  // --- rates -----------------------------------------------------------------------------------

  @Test
  void publishRatePerAddress() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.limits(new LimitSettings(SLOW, 0, 0, 0, 0, 0)))) {
      String token = HubFixture.publisherToken();
      assertThat(BoundClient.publish(A, f.port(), token, "topic", "t", "data", "1").status).isEqualTo(200);
      BoundClient refused = BoundClient.publish(A, f.port(), token, "topic", "t", "data", "2");
      assertLimited(refused, "too many publish requests from this address: at most 0.001 per second");
      assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 1000L);
      // Another client address is not affected.
      assertThat(BoundClient.publish(B, f.port(), token, "topic", "t", "data", "3").status).isEqualTo(200);

      assertThat(metric(f, limited("publish_rate", "address"))).isEqualTo(1);
      assertThat(metric(f, limited("publish_rate", "subject"))).isZero();
      assertThat(metric(f, limited("subscribe_rate", "address"))).isZero();
      assertThat(metric(f, "herald_publishes_total{result=\"refused\"}")).isEqualTo(1);
      assertThat(metric(f, "herald_publishes_total{result=\"accepted\"}")).isEqualTo(2);
    }
  }

  @Test
  void publishRatePerSubject() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.limits(new LimitSettings(0, SLOW, 0, 0, 0, 0)))) {
      assertThat(BoundClient.publish(A, f.port(), token("alice"), "topic", "t").status).isEqualTo(200);
      // The subject is limited wherever it comes from.
      assertLimited(BoundClient.publish(B, f.port(), token("alice"), "topic", "t"),
          "too many publish requests for this token subject: at most 0.001 per second");
      assertThat(BoundClient.publish(A, f.port(), token("bob"), "topic", "t").status).isEqualTo(200);
      // A token naming nobody is limited by address only, and that limit is off here.
      for (int i = 0; i < 3; i++) {
        assertThat(BoundClient.publish(A, f.port(), token(null), "topic", "t").status).isEqualTo(200);
      }
      assertThat(metric(f, limited("publish_rate", "subject"))).isEqualTo(1);
      assertThat(metric(f, limited("publish_rate", "address"))).isZero();
    }
  }

  @Test
  void subscribeRatePerAddress() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.anonymous(true).limits(new LimitSettings(0, 0, SLOW, 0, 0, 0)))) {
      try (BoundClient first = BoundClient.subscribe(A, f.port(), "t", null)) {
        assertThat(first.status).isEqualTo(200);
      }
      try (BoundClient again = BoundClient.subscribe(A, f.port(), "t", null)) {
        assertLimited(again, "too many subscribe requests from this address: at most 0.001 per second");
      }
      try (BoundClient other = BoundClient.subscribe(B, f.port(), "t", null)) {
        assertThat(other.status).isEqualTo(200);
      }
      // A refused subscriber does not count as connected.
      waitFor(() -> f.hub.subscriberCounters().connectedCount() == 0);
      assertThat(metric(f, limited("subscribe_rate", "address"))).isEqualTo(1);
    }
  }

  @Test
  void subscribeRatePerSubjectIsSharedWithTheSubscriptionsApi() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.anonymous(true).subscriptions(true)
        .limits(new LimitSettings(0, 0, 0, SLOW, 0, 0)))) {
      try (BoundClient first = BoundClient.subscribe(A, f.port(), "t", token("alice"))) {
        assertThat(first.status).isEqualTo(200);
      }
      try (BoundClient again = BoundClient.subscribe(B, f.port(), "t", token("alice"))) {
        assertLimited(again, "too many subscribe requests for this token subject: at most 0.001 per second");
      }
      try (BoundClient bob = BoundClient.subscribe(A, f.port(), "t", token("bob"))) {
        assertThat(bob.status).isEqualTo(200);
      }
      // Anonymous subscribers are limited by address only (off here).
      for (int i = 0; i < 3; i++) {
        try (BoundClient anonymous = BoundClient.subscribe(A, f.port(), "t", null)) {
          assertThat(anonymous.status).isEqualTo(200);
        }
      }
      // A read of the subscriptions API takes from the same budget.
      assertThat(BoundClient.get(A, f.port(), "/.well-known/mercure/subscriptions", token("carol")).status)
          .isEqualTo(200);
      assertLimited(BoundClient.get(A, f.port(), "/.well-known/mercure/subscriptions", token("carol")),
          "too many subscribe requests for this token subject: at most 0.001 per second");
      try (BoundClient carol = BoundClient.subscribe(A, f.port(), "t", token("carol"))) {
        assertThat(carol.status).isEqualTo(429);
      }
      assertThat(metric(f, limited("subscribe_rate", "subject"))).isEqualTo(3);
    }
  }

  // --- open streams ----------------------------------------------------------------------------

  @Test
  void streamsPerAddressCountHttp1AndHttp2StreamsOfTheSameClient() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (HubFixture f = new HubFixture(b -> b.anonymous(true).limits(new LimitSettings(0, 0, 0, 0, 1, 0)));
        BoundClient open = BoundClient.subscribe(A, f.port(), "t", null)) {
      assertThat(open.status).isEqualTo(200);
      try (BoundClient second = BoundClient.subscribe(A, f.port(), "u", null)) {
        assertLimited(second, "too many open streams from this address: at most 1");
        assertThat(second.header("Retry-After")).isEqualTo("5");
      }
      try (BoundClient other = BoundClient.subscribe(B, f.port(), "t", null)) {
        assertThat(other.status).isEqualTo(200);
        assertThat(f.hub.requestLimits().openStreams(ip(B))).isEqualTo(1);
      }
      // An HTTP/2 stream counts as its connection's client, 127.0.0.1 here.
      Channel connection = H2TestClient.connect(group, f.port(), null);
      DefaultFullHttpRequest req = new DefaultFullHttpRequest(
          HttpVersion.HTTP_1_1, HttpMethod.GET, "/.well-known/mercure?topic=t");
      req.headers().set("host", "127.0.0.1:" + f.port()).set("x-http2-scheme", "http");
      StreamCollector h2 = H2TestClient.open(connection, req);
      assertThat(h2.status.get(SseStream.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(429);
      assertThat(h2.await("too many open streams from this address: at most 1\n")).isTrue();
      connection.close().sync();
      assertThat(f.hub.requestLimits().openStreams(ip(A))).isEqualTo(1);
      assertThat(metric(f, limited("streams", "address"))).isEqualTo(2);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void streamsPerSubject() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.anonymous(true).limits(new LimitSettings(0, 0, 0, 0, 0, 1)));
        BoundClient alice = BoundClient.subscribe(A, f.port(), "t", token("alice"))) {
      assertThat(alice.status).isEqualTo(200);
      try (BoundClient again = BoundClient.subscribe(B, f.port(), "t", token("alice"))) {
        assertLimited(again, "too many open streams for this token subject: at most 1");
      }
      try (BoundClient bob = BoundClient.subscribe(A, f.port(), "t", token("bob"));
          BoundClient nobody1 = BoundClient.subscribe(A, f.port(), "t", token(null));
          BoundClient nobody2 = BoundClient.subscribe(A, f.port(), "t", token(null));
          BoundClient anonymous = BoundClient.subscribe(A, f.port(), "t", null)) {
        assertThat(List.of(bob.status, nobody1.status, nobody2.status, anonymous.status)).containsOnly(200);
        assertThat(f.hub.requestLimits().openStreamsOfSubject("alice")).isEqualTo(1);
        assertThat(f.hub.requestLimits().openStreamsOfSubject("bob")).isEqualTo(1);
      }
      assertThat(metric(f, limited("streams", "subject"))).isEqualTo(1);
    }
  }

  // --- a stream's place comes back, however it ends ----------------------------------------------

  private static HubFixture oneStreamPerAddress(java.util.function.Consumer<HubConfig.Builder> more) throws Exception {
    return new HubFixture(4, b -> {
      b.anonymous(true).limits(new LimitSettings(0, 0, 0, 0, 1, 1));
      more.accept(b);
    });
  }

  private static void assertPlaceFreed(HubFixture f) throws Exception {
    RequestLimits limits = f.hub.requestLimits();
    waitFor(() -> limits.streamKeys() == 0);
    try (BoundClient next = BoundClient.subscribe(A, f.port(), "t", token("alice"))) {
      assertThat(next.status).isEqualTo(200);
    }
  }

  @Test
  void placeComesBackWhenTheClientCloses() throws Exception {
    try (HubFixture f = oneStreamPerAddress(b -> {})) {
      BoundClient stream = BoundClient.subscribe(A, f.port(), "t", token("alice"));
      assertThat(stream.status).isEqualTo(200);
      assertThat(f.hub.requestLimits().openStreams(ip(A))).isEqualTo(1);
      assertThat(f.hub.requestLimits().openStreamsOfSubject("alice")).isEqualTo(1);
      stream.close();
      assertPlaceFreed(f);
    }
  }

  @Test
  void placeComesBackWhenTheClientResetsAnHttp2Connection() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (HubFixture f = oneStreamPerAddress(b -> {})) {
      Channel connection = H2TestClient.connect(group, f.port(), null);
      DefaultFullHttpRequest req = new DefaultFullHttpRequest(
          HttpVersion.HTTP_1_1, HttpMethod.GET, "/.well-known/mercure?topic=t");
      req.headers().set("host", "127.0.0.1:" + f.port()).set("x-http2-scheme", "http")
          .set("authorization", "Bearer " + token("alice"));
      StreamCollector h2 = H2TestClient.open(connection, req);
      assertThat(h2.status.get(SseStream.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(200);
      assertThat(f.hub.requestLimits().openStreams(ip(A))).isEqualTo(1);
      connection.close().sync();
      assertPlaceFreed(f);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void placeComesBackWhenTheTokenExpires() throws Exception {
    try (HubFixture f = oneStreamPerAddress(b -> {})) {
      String expiring = new TokenIssuer(HubFixture.KEY, "HS256")
          .issue(List.of(), List.of("*"), null, Instant.now().plusSeconds(2), "alice");
      try (BoundClient stream = BoundClient.subscribe(A, f.port(), "t", expiring)) {
        assertThat(stream.status).isEqualTo(200);
        assertThat(f.hub.requestLimits().openStreamsOfSubject("alice")).isEqualTo(1);
        assertThat(stream.endedByHub()).isTrue();
      }
      assertThat(f.hub.subscriberCounters().expiredCount()).isEqualTo(1);
      assertPlaceFreed(f);
    }
  }

  @Test
  void placeComesBackWhenTheHubDropsASlowStream() throws Exception {
    try (HubFixture f = oneStreamPerAddress(b -> b.maxQueuedBytes(64 * 1024));
        Socket stuck = BoundClient.socket(A, f.port())) {
      stuck.setReceiveBufferSize(4096);
      BoundClient stream = BoundClient.exchange(stuck, f.port(), "GET", "/.well-known/mercure?topic=t",
          token("alice"), null);
      assertThat(stream.status).isEqualTo(200);
      assertThat(f.hub.requestLimits().openStreams(ip(A))).isEqualTo(1);
      // Never read again: the hub's queue for it fills and the hub drops it.
      String data = "x".repeat(256 * 1024);
      for (int i = 0; i < 200 && f.hub.subscriberCounters().droppedSlowCount() == 0; i++) {
        f.publishOk("topic", "t", "data", data);
      }
      assertThat(f.hub.subscriberCounters().droppedSlowCount()).isEqualTo(1);
      assertPlaceFreed(f);
    }
  }

  @Test
  void placesComeBackWhenTheHubCloses() throws Exception {
    HubFixture f = oneStreamPerAddress(b -> {});
    RequestLimits limits = f.hub.requestLimits();
    try (BoundClient a = BoundClient.subscribe(A, f.port(), "t", token("alice"));
        BoundClient b = BoundClient.subscribe(B, f.port(), "t", token("bob"))) {
      assertThat(List.of(a.status, b.status)).containsOnly(200);
      assertThat(limits.streamKeys()).isEqualTo(4);
      f.close();
      assertThat(a.endedByHub()).isTrue();
      assertThat(b.endedByHub()).isTrue();
    } finally {
      f.close();
    }
    waitFor(() -> limits.streamKeys() == 0);
  }
}
