package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Health, readiness, Prometheus metrics moving with real traffic, and the drain's 503. */
class OpsTest {
  private static HttpResponse<String> get(HubFixture f, int port, String path, String... headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return f.http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static double metric(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
    if (!m.find()) {
      throw new AssertionError("no series " + series + " in:\n" + scrape);
    }
    return Double.parseDouble(m.group(1));
  }

  @Test
  void healthReadinessAndMetricsFollowTraffic() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.anonymous(true))) {
      assertThat(get(f, f.port(), "/healthz").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(f, f.port(), "/readyz");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body().trim()).isEqualTo("ready");

      String before = get(f, f.port(), "/metrics").body();
      assertThat(metric(before, "herald_subscribers_connected")).isZero();
      try (SseStream a = f.subscribe(f.subscribeUri("t", "u"));
          SseStream b = f.subscribe(f.subscribeUri("t"))) {
        for (int i = 0; i < 3; i++) {
          f.publishOk("topic", "t", "id", "m" + i);
          a.nextData();
          b.nextData();
        }
        assertThat(f.publish(null, "topic", "t").statusCode()).isEqualTo(401);
        HttpResponse<String> scrape = get(f, f.port(), "/metrics");
        assertThat(scrape.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        String now = scrape.body();
        assertThat(metric(now, "herald_subscribers_connected")).isEqualTo(2);
        assertThat(metric(now, "herald_subscriptions")).isEqualTo(3);
        assertThat(metric(now, "herald_publishes_total{result=\"accepted\"}")).isEqualTo(3);
        assertThat(metric(now, "herald_publishes_total{result=\"refused\"}")).isEqualTo(1);
        assertThat(metric(now, "herald_deliveries_total")).isEqualTo(6);
        assertThat(metric(now, "herald_history_last_sequence")).isEqualTo(3);
        assertThat(now).contains("jvm_memory_used_bytes").contains("herald_netty_direct_memory_used");
      }
    }
  }

  @Test
  void metricsCanRequireATokenOrLiveOnTheAdminAddress() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.metricsToken("scrape-secret"))) {
      assertThat(get(f, f.port(), "/metrics").statusCode()).isEqualTo(401);
      assertThat(get(f, f.port(), "/metrics", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
      assertThat(get(f, f.port(), "/metrics", "Authorization", "Bearer scrape-secret").statusCode()).isEqualTo(200);
    }
    try (HubFixture f = new HubFixture(b -> b.adminAddress(new InetSocketAddress("127.0.0.1", 0)))) {
      int admin = f.hub.adminAddress().getPort();
      assertThat(get(f, f.port(), "/metrics").statusCode()).isEqualTo(404);
      assertThat(get(f, admin, "/metrics").statusCode()).isEqualTo(200);
      assertThat(get(f, admin, "/readyz").statusCode()).isEqualTo(200);
      assertThat(get(f, admin, "/.well-known/mercure?topic=x").statusCode()).isEqualTo(404);
    }
  }

  /**
   * The admin port is a front door too: a head that never completes is answered 408 and closed
   * (slowloris), and its connections count against the same caps as the hub port's.
   */
  @Test
  void theAdminAddressHasTheHeaderTimeoutAndTheConnectionCaps() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.adminAddress(new InetSocketAddress("127.0.0.1", 0))
        .headerTimeout(Duration.ofSeconds(1)).maxConnectionsPerAddress(2))) {
      int admin = f.hub.adminAddress().getPort();
      try (RawConnection slow = RawConnection.open(admin)) {
        String res = slow.send("GET /metrics HTTP/1.1\r\nHost: x\r\n").readResponse();
        assertThat(res).as("a head never completed is answered").isNotNull();
        assertThat(RawConnection.status(res)).as(res).isEqualTo(408);
        assertThat(slow.awaitClosed()).isTrue();
      }
      // Each connection is answered before the next opens: the caps count a connection on the
      // event loop it lands on, so connections opened together are admitted in any order.
      try (RawConnection one = RawConnection.open(admin)) {
        assertThat(RawConnection.status(one.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readResponse()))
            .isEqualTo(200);
        try (RawConnection two = RawConnection.open(admin)) {
          assertThat(RawConnection.status(two.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readResponse()))
              .isEqualTo(200);
          try (RawConnection three = RawConnection.open(admin)) {
            assertThat(three.awaitClosed()).as("the third connection from one address is refused").isTrue();
          }
        }
      }
    }
  }

  @Test
  void drainingAnswers503WithRetryAfterAndIsNotReady() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.anonymous(true).adminAddress(new InetSocketAddress("127.0.0.1", 0)));
        SseStream open = f.subscribe(f.subscribeUri("t"))) {
      // A keep-alive connection opened before the drain: its next request must be refused.
      assertThat(get(f, f.port(), "/healthz").statusCode()).isEqualTo(200);
      f.hub.startDrain();
      HttpResponse<String> refused = f.publish(HubFixture.publisherToken(), "topic", "t");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
      HttpResponse<String> ready = get(f, f.hub.adminAddress().getPort(), "/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body().trim()).isEqualTo("draining");
      // Streams stay open until close() ends them, with a retry hint.
      f.hub.close();
      assertThat(open.awaitEnd(SseStream.WAIT_SECONDS)).isTrue();
      assertThat(open.raw()).contains("retry: 1000");
    }
  }
}
