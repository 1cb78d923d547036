package io.herald.redis;

import io.herald.hub.HubFixture;
import io.herald.hub.HubServer;
import io.herald.hub.SseStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * One hub node on a free loopback port, in this JVM, with its own {@link RedisTransport}: the hub
 * tests' {@link HubFixture} in front of a cluster transport.
 */
final class Node implements AutoCloseable {
  final RedisTransport transport;
  final HubServer hub;
  final HttpClient http;
  private final HubFixture fixture;

  Node(RedisOptions options) throws Exception {
    this(options, false);
  }

  /** A node with {@code --subscriptions} on or off. */
  Node(RedisOptions options, boolean subscriptions) throws Exception {
    transport = RedisTransport.connect(options);
    fixture = new HubFixture(transport, b -> b.anonymous(true).subscriptions(subscriptions));
    hub = fixture.hub;
    http = fixture.http;
  }

  Node(String redisUri) throws Exception {
    this(RedisOptions.of(redisUri));
  }

  String hubUrl() {
    return fixture.hubUrl();
  }

  URI subscribeUri(String... topics) {
    return fixture.subscribeUri(topics);
  }

  static String token(List<String> publish, List<String> subscribe) {
    return HubFixture.token(publish, subscribe);
  }

  /** Publishes with a token that may publish anything. */
  HttpResponse<String> publish(String... pairs) throws Exception {
    return fixture.publish(HubFixture.publisherToken(), pairs);
  }

  /** Publishes and insists on 200, returning the event ID. */
  String publishOk(String... pairs) throws Exception {
    return fixture.publishOk(pairs);
  }

  SseStream subscribe(URI uri, String... headers) throws Exception {
    return fixture.subscribe(uri, headers);
  }

  @Override
  public void close() {
    fixture.close();
  }
}
