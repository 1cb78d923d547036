package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.herald.core.history.MemoryHistory;
import io.herald.core.transport.HistoryTransport;
import io.herald.hub.HubConfig;
import io.herald.hub.HubServer;
import io.herald.hub.auth.JwtVerifier;
import io.herald.hub.auth.TokenIssuer;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The only part of the benchmarks CI runs: the load tool against an in-process hub, a few hundred
 * subscribers for a few seconds. It checks counts, never timings: every subscriber connected,
 * every update delivered to every one exactly once, and a report that parses as JSON.
 */
class BenchSmokeTest {
  private static final String KEY = "herald-bench-secret-that-is-long-enough-for-hs256";
  private static final int SUBSCRIBERS = 300;

  private static HubConfig hubConfig() throws Exception {
    JwtVerifier verifier = JwtVerifier.create(KEY, "HS256");
    return HubConfig.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .publisherVerifier(verifier)
        .subscriberVerifier(verifier)
        .anonymous(true)
        .heartbeat(Duration.ofSeconds(30))
        .ioThreads(2)
        .build();
  }

  private static LoadSettings settings(List<Template> subscribeUrls, String publishUrl) throws Exception {
    return settings(subscribeUrls, List.of(new Template(publishUrl)));
  }

  private static LoadSettings settings(List<Template> subscribeUrls, List<Template> publishUrls) throws Exception {
    return settings(subscribeUrls, publishUrls, SUBSCRIBERS, 50, 4, PublishMode.RATE);
  }

  private static LoadSettings settings(List<Template> subscribeUrls, List<Template> publishUrls, int subscribers,
      int rate, int publishConnections, PublishMode mode) throws Exception {
    String token = new TokenIssuer(KEY, "HS256").issue(List.of("*"), List.of());
    return new LoadSettings("herald", subscribeUrls, publishUrls,
        new Template("topic={topic}&data={data}"), List.of("Authorization: Bearer " + token), List.of(),
        subscribers, 1, rate, rate, Duration.ofSeconds(3), Duration.ofMillis(500), 100, 4, 2, publishConnections, 200, 0,
        List.of(), Duration.ofMillis(100), List.of(ProcessHandle.current().pid()), false, true, mode);
  }

  /** The publish round trip of the measured phase: samples taken, percentiles positive and ordered. */
  private static void assertPublishRoundTrip(Map<String, Object> v) {
    assertThat(((Number) v.get("publishSamples")).longValue()).isPositive();
    double p50 = ((Number) v.get("publishP50Ms")).doubleValue();
    double p90 = ((Number) v.get("publishP90Ms")).doubleValue();
    double p99 = ((Number) v.get("publishP99Ms")).doubleValue();
    double p999 = ((Number) v.get("publishP999Ms")).doubleValue();
    double max = ((Number) v.get("publishMaxMs")).doubleValue();
    assertThat(p50).isPositive();
    assertThat(p50).isLessThanOrEqualTo(p90);
    assertThat(p90).isLessThanOrEqualTo(p99);
    assertThat(p99).isLessThanOrEqualTo(p999);
    assertThat(p999).isLessThanOrEqualTo(max);
  }

  @Test
  void fanOutLosesAndDuplicatesNothing(@TempDir Path dir) throws Exception {
    HubConfig config = hubConfig();
    MemoryHistory history = new MemoryHistory(10_000);
    HistoryTransport transport = new HistoryTransport(history);
    try (HubServer hub = HubServer.start(config, transport)) {
      String base = "http://127.0.0.1:" + hub.port() + "/.well-known/mercure";
      LoadSettings settings = settings(List.of(new Template(base + "?topic={topic}")), base);

      Report report = Scenario.FANOUT.run(settings, new PrintStream(OutputStream.nullOutputStream()));

      report.printTable(System.out);
      Map<String, Object> v = report.values();
      assertThat(((Number) v.get("connected")).longValue()).isEqualTo(SUBSCRIBERS);
      long published = ((Number) v.get("published")).longValue();
      assertThat(published).isGreaterThan(50);
      assertThat(v.get("publishFailures")).isEqualTo(0L);
      assertThat(v.get("expectedDeliveries")).isEqualTo(published * SUBSCRIBERS);
      assertThat(v.get("deliveries")).isEqualTo(published * SUBSCRIBERS);
      assertThat(v.get("lost")).isEqualTo(0L);
      assertThat(v.get("duplicated")).isEqualTo(0L);
      assertThat(((Number) v.get("rssBytes")).longValue()).isPositive();
      assertPublishRoundTrip(v);
      // Only acknowledged publishes of the measured phase are sampled (the warm-up's are not).
      assertThat(((Number) v.get("publishSamples")).longValue()).isLessThan(published);
      assertThat(((Number) v.get("publishMaxInFlight")).intValue()).isBetween(1, 4);

      Path json = dir.resolve("report.json");
      BenchCommand.write(json, List.of(report));
      String text = Files.readString(json);
      Map<String, Object> parsed = JSONObjectUtils.parse(text.substring(text.indexOf('{'), text.lastIndexOf('}') + 1));
      assertThat(parsed).containsEntry("scenario", "FANOUT").containsKey("p99Ms").containsKey("deliveriesPerSec")
          .containsKey("publishP50Ms").containsKey("publishP99Ms").containsKey("publishMaxMs");
    } finally {
      transport.close();
      history.close();
    }
  }

  /**
   * The closed loop: each of N connections sends its next update as soon as the previous one is
   * answered. Every publish is acknowledged, never more than N are in flight, nothing is skipped,
   * lost or duplicated, and the round trip is reported.
   */
  @Test
  void closedLoopPublishersKeepOneRequestInFlightPerConnection() throws Exception {
    int connections = 3;
    int subscribers = 50;
    try (LoneHub hub = new LoneHub()) {
      LoadSettings settings = settings(List.of(new Template(hub.base() + "?topic={topic}")),
          List.of(new Template(hub.base())), subscribers, 1, connections, PublishMode.CLOSED);

      Report report = Scenario.FANOUT.run(settings, new PrintStream(OutputStream.nullOutputStream()));

      report.printTable(System.out);
      Map<String, Object> v = report.values();
      assertThat(((Number) v.get("connected")).longValue()).isEqualTo(subscribers);
      long published = ((Number) v.get("published")).longValue();
      // The closed loop ignores --rate: at 1/s the fixed-rate mode would publish 4 in these 3.5 s.
      assertThat(published).isGreaterThan(20);
      assertThat(hub.history.lastSequence()).isEqualTo(published);
      assertThat(((Number) v.get("publishedPerSec")).doubleValue()).isPositive();
      assertThat(v.get("publishFailures")).isEqualTo(0L);
      assertThat(v.get("publishSkipped")).isEqualTo(0L);
      assertThat(((Number) v.get("publishMaxInFlight")).intValue()).isBetween(1, connections);
      assertThat(v.get("expectedDeliveries")).isEqualTo(published * subscribers);
      assertThat(v.get("deliveries")).isEqualTo(published * subscribers);
      assertThat(v.get("lost")).isEqualTo(0L);
      assertThat(v.get("duplicated")).isEqualTo(0L);
      assertPublishRoundTrip(v);
    }
  }

  /** One hub with its own in-memory history; two of them form no cluster. */
  private static final class LoneHub implements AutoCloseable {
    final MemoryHistory history = new MemoryHistory(10_000);
    final HistoryTransport transport = new HistoryTransport(history);
    final HubServer server;

    LoneHub() throws Exception {
      server = HubServer.start(hubConfig(), transport);
    }

    String base() {
      return "http://127.0.0.1:" + server.port() + "/.well-known/mercure";
    }

    @Override
    public void close() {
      server.close();
      transport.close();
      history.close();
    }
  }

  /**
   * Several subscribe URLs spread the subscribers round-robin. Two unrelated hubs (no cluster)
   * show it exactly: updates go to hub A only, so precisely the half subscribed on hub B miss them.
   */
  @Test
  void subscribersAreSpreadRoundRobinOverTheSubscribeUrls() throws Exception {
    try (LoneHub a = new LoneHub(); LoneHub b = new LoneHub()) {
      LoadSettings settings = settings(
          List.of(new Template(a.base() + "?topic={topic}"), new Template(b.base() + "?topic={topic}")), a.base());

      Map<String, Object> v = Scenario.FANOUT.run(settings, new PrintStream(OutputStream.nullOutputStream())).values();

      assertThat(((Number) v.get("connected")).longValue()).isEqualTo(SUBSCRIBERS);
      long published = ((Number) v.get("published")).longValue();
      assertThat(published).isGreaterThan(50);
      assertThat(v.get("deliveries")).isEqualTo(published * SUBSCRIBERS / 2);
      assertThat(v.get("lost")).isEqualTo(published * SUBSCRIBERS / 2);
      assertThat(v.get("duplicated")).isEqualTo(0L);
    }
  }

  /**
   * Several publish URLs spread the updates. With two unrelated hubs and every subscriber on hub
   * A, the updates that went to hub B (counted by B's history) are exactly the ones A's
   * subscribers never got.
   */
  @Test
  void publishesAreSpreadOverThePublishUrls() throws Exception {
    try (LoneHub a = new LoneHub(); LoneHub b = new LoneHub()) {
      LoadSettings settings = settings(
          List.of(new Template(a.base() + "?topic={topic}")), List.of(new Template(a.base()), new Template(b.base())));

      Map<String, Object> v = Scenario.FANOUT.run(settings, new PrintStream(OutputStream.nullOutputStream())).values();

      long toA = a.history.lastSequence();
      long toB = b.history.lastSequence();
      assertThat(toA).isPositive();
      assertThat(toB).isPositive();
      assertThat(v.get("published")).isEqualTo(toA + toB);
      assertThat(v.get("publishFailures")).isEqualTo(0L);
      assertThat(v.get("deliveries")).isEqualTo(toA * SUBSCRIBERS);
      assertThat(v.get("lost")).isEqualTo(toB * SUBSCRIBERS);
    }
  }
}
