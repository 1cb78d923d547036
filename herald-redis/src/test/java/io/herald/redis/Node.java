package io.herald.redis;

import io.herald.hub.SseStream;

import io.herald.hub.HubConfig;
import io.herald.hub.HubServer;
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
import java.util.ArrayList;
import java.util.List;

/** One hub node on a free loopback port, in this JVM, with its own {@link RedisTransport}. */
final class Node implements AutoCloseable {
  static final String KEY = "herald-test-secret-that-is-long-enough-for-hs256";

  final RedisTransport transport;
  final HubServer hub;
  final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  Node(RedisOptions options) throws Exception {
    JwtVerifier verifier = JwtVerifier.create(KEY, "HS256");
    HubConfig config = HubConfig.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .publisherVerifier(verifier)
        .subscriberVerifier(verifier)
        .anonymous(true)
        .heartbeat(Duration.ofSeconds(30))
        .ioThreads(2)
        .build();
    transport = RedisTransport.connect(options);
    try {
      hub = HubServer.start(config, transport);
    } catch (Exception e) {
      transport.close();
      throw e;
    }
  }

  Node(String redisUri) throws Exception {
    this(RedisOptions.of(redisUri));
  }

  String hubUrl() {
    return "http://127.0.0.1:" + hub.port() + "/.well-known/mercure";
  }

  URI subscribeUri(String... topics) {
    StringBuilder q = new StringBuilder();
    for (String t : topics) {
      q.append(q.length() == 0 ? "?" : "&").append("topic=").append(enc(t));
    }
    return URI.create(hubUrl() + q);
  }

  static String token(List<String> publish, List<String> subscribe) {
    return new TokenIssuer(KEY, "HS256").issue(publish, subscribe);
  }

  static String publisherToken() {
    return token(List.of("*"), List.of());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String form(String... pairs) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      parts.add(enc(pairs[i]) + "=" + enc(pairs[i + 1]));
    }
    return String.join("&", parts);
  }

  HttpResponse<String> publish(String... pairs) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(hubUrl()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "Bearer " + publisherToken())
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(form(pairs)))
        .build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  /** Publishes and insists on 200, returning the event ID. */
  String publishOk(String... pairs) throws Exception {
    HttpResponse<String> res = publish(pairs);
    if (res.statusCode() != 200) {
      throw new AssertionError("publish failed: " + res.statusCode() + " " + res.body());
    }
    return res.body().trim();
  }

  SseStream subscribe(URI uri, String... headers) throws Exception {
    return SseStream.open(http, uri, headers);
  }

  @Override
  public void close() {
    hub.close();
    transport.close();
  }
}
