package io.herald.hub;

import io.herald.core.history.MemoryHistory;
import io.herald.core.transport.Transport;
import io.herald.core.transport.HistoryTransport;
import io.herald.hub.auth.JwtVerifier;
import io.herald.hub.auth.TokenIssuer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A real hub on a free loopback port, with helpers to publish and subscribe over real HTTP.
 * Shared with the other modules' tests through herald-hub's test jar.
 */
public final class HubFixture implements AutoCloseable {
  public static final String KEY = "herald-test-secret-that-is-long-enough-for-hs256";

  final Transport transport;
  /** The history this fixture created and owns, or {@code null} when given a transport. */
  final MemoryHistory history;
  public final HubServer hub;
  /** The configuration the hub was started with. */
  public final HubConfig config;
  public final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public HubFixture() throws Exception {
    this(b -> {});
  }

  public HubFixture(Consumer<HubConfig.Builder> customize) throws Exception {
    this(10_000, customize);
  }

  HubFixture(int historyCapacity, Consumer<HubConfig.Builder> customize) throws Exception {
    this(new MemoryHistory(historyCapacity), customize);
  }

  /** A hub in front of {@code transport}, which the fixture closes with the hub. */
  public HubFixture(Transport transport, Consumer<HubConfig.Builder> customize) throws Exception {
    this(null, transport, customize);
  }

  private HubFixture(MemoryHistory history, Consumer<HubConfig.Builder> customize) throws Exception {
    this(history, new HistoryTransport(history), customize);
  }

  private HubFixture(MemoryHistory history, Transport transport, Consumer<HubConfig.Builder> customize)
      throws Exception {
    JwtVerifier verifier = JwtVerifier.create(KEY, "HS256");
    HubConfig.Builder b = HubConfig.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .publisherVerifier(verifier)
        .subscriberVerifier(verifier)
        .heartbeat(Duration.ofSeconds(30))
        // Generous: a test reader starved of CPU on a loaded CI machine must not count as slow.
        // Tests of the slow-consumer rule set their own.
        .dispatchTimeout(Duration.ofSeconds(60))
        .ioThreads(2);
    customize.accept(b);
    this.history = history;
    this.transport = transport;
    this.config = b.build();
    try {
      hub = HubServer.start(config, transport);
    } catch (Exception e) {
      transport.close();
      throw e;
    }
  }

  public int port() {
    return hub.port();
  }

  public String hubUrl() {
    return "http://127.0.0.1:" + port() + "/.well-known/mercure";
  }

  public URI subscribeUri(String... topics) {
    StringBuilder q = new StringBuilder();
    for (String t : topics) {
      q.append(q.length() == 0 ? "?" : "&").append("topic=").append(enc(t));
    }
    return URI.create(hubUrl() + q);
  }

  public static String token(List<String> publish, List<String> subscribe) {
    return new TokenIssuer(KEY, "HS256").issue(publish, subscribe, null, null);
  }

  public static String token(List<String> publish, List<String> subscribe, Instant exp) {
    return new TokenIssuer(KEY, "HS256").issue(publish, subscribe, null, exp);
  }

  public static String publisherToken() {
    return token(List.of("*"), List.of());
  }

  public static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Form body from name/value pairs. */
  public static String form(String... pairs) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      parts.add(enc(pairs[i]) + "=" + enc(pairs[i + 1]));
    }
    return String.join("&", parts);
  }

  public HttpResponse<String> publish(String token, String... pairs) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(hubUrl()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(pairs)));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Publishes and insists on 200, returning the ID. */
  public String publishOk(String... pairs) throws Exception {
    HttpResponse<String> res = publish(publisherToken(), pairs);
    if (res.statusCode() != 200) {
      throw new AssertionError("publish failed: " + res.statusCode() + " " + res.body());
    }
    return res.body().trim();
  }

  public SseStream subscribe(URI uri, String... headers) throws Exception {
    return SseStream.open(http, uri, headers);
  }

  @Override
  public void close() {
    hub.close();
    transport.close();
    if (history != null) {
      history.close();
    }
  }
}
