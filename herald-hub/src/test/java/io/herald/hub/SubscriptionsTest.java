package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.herald.hub.auth.TokenIssuer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Active subscriptions: the events on subscribe/unsubscribe and the subscriptions API. */
class SubscriptionsTest {
  static final String EVENTS = "/.well-known/mercure/subscriptions/{topic}/{subscriber}";
  static final String API = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
  HubFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true).subscriptions(true));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private HttpResponse<String> api(String path, String token) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.port() + path));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return f.http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void subscribeAndUnsubscribeArePublishedAndListed() throws Exception {
    String observerToken = HubFixture.token(List.of(), List.of(EVENTS, API));
    String userToken = new TokenIssuer(HubFixture.KEY, "HS256")
        .issue(List.of(), List.of(), "{\"user\":\"alice\"}", null);
    try (SseStream observer = f.subscribe(f.subscribeUri(EVENTS), "Authorization", "Bearer " + observerToken);
        SseStream anonymous = f.subscribe(f.subscribeUri(EVENTS))) {
      SseStream user = f.subscribe(f.subscribeUri("https://example.com/a b"), "Authorization", "Bearer " + userToken);
      Map<String, Object> opened = nextEventFor(observer, "https://example.com/a b");
      assertThat(opened).containsEntry("type", "Subscription")
          .containsEntry("topic", "https://example.com/a b")
          .containsEntry("active", true)
          .containsEntry("payload", Map.of("user", "alice"));
      String subscriber = (String) opened.get("subscriber");
      assertThat(subscriber).startsWith("urn:uuid:");
      String id = (String) opened.get("id");
      assertThat(id).isEqualTo("/.well-known/mercure/subscriptions/https%3A%2F%2Fexample.com%2Fa%20b/"
          + subscriber.replace(":", "%3A"));

      HttpResponse<String> list = api("/.well-known/mercure/subscriptions", observerToken);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.headers().firstValue("content-type")).hasValue("application/ld+json");
      Map<String, Object> collection = JSONObjectUtils.parse(list.body());
      assertThat(collection).containsEntry("type", "Subscriptions").containsKey("lastEventID");
      assertThat(collection.get("lastEventID")).isNotEqualTo("earliest");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> subs = (List<Map<String, Object>>) collection.get("subscriptions");
      // The observer's own and the anonymous watcher's subscriptions are listed too.
      assertThat(subs).extracting(m -> m.get("id")).contains(id);

      HttpResponse<String> one = api(id, observerToken);
      assertThat(one.statusCode()).isEqualTo(200);
      assertThat(JSONObjectUtils.parse(one.body())).containsEntry("subscriber", subscriber)
          .containsEntry("@context", "https://mercure.rocks/").containsEntry("active", true)
          .containsEntry("lastEventID", collection.get("lastEventID"));
      HttpResponse<String> byTopic = api(id.substring(0, id.lastIndexOf('/')), observerToken);
      assertThat(JSONObjectUtils.parse(byTopic.body()).get("subscriptions").toString()).contains(subscriber);

      user.close();
      Map<String, Object> closed = nextEventFor(observer, "https://example.com/a b");
      assertThat(closed).containsEntry("id", id).containsEntry("active", false);
      assertThat(api(id, observerToken).statusCode()).isEqualTo(404);

      // The events are private: an anonymous watcher of the same topic saw none of them.
      f.publishOk("topic", "/public-marker", "id", "marker");
      try (SseStream probe = f.subscribe(f.subscribeUri("*"), "Last-Event-ID", "earliest")) {
        assertThat(probe.nextData().id()).isEqualTo("marker");
      }
      assertThat(anonymous.raw()).doesNotContain("alice");
    }
  }

  @Test
  void everyWatcherOnEveryLoopGetsTheSameEventAndALateOneReplaysIt() throws Exception {
    String observerToken = HubFixture.token(List.of(), List.of(EVENTS));
    List<SseStream> watchers = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) { // connections are spread over the hub's event loops
        watchers.add(f.subscribe(f.subscribeUri(EVENTS), "Authorization", "Bearer " + observerToken));
      }
      try (SseStream user = f.subscribe(f.subscribeUri("https://example.com/watched"))) {
        String eventId = null;
        for (SseStream w : watchers) {
          SseStream.Event opened = nextRawEventFor(w, "https://example.com/watched");
          assertThat(JSONObjectUtils.parse(opened.data())).containsEntry("active", true).containsEntry("payload", null);
          assertThat(eventId == null || eventId.equals(opened.id())).as("same event on every stream").isTrue();
          eventId = opened.id();
        }
        try (SseStream late = f.subscribe(f.subscribeUri(EVENTS),
            "Authorization", "Bearer " + observerToken, "Last-Event-ID", "earliest")) {
          assertThat(nextRawEventFor(late, "https://example.com/watched").id()).isEqualTo(eventId);
        }
      }
      for (SseStream w : watchers) {
        assertThat(nextEventFor(w, "https://example.com/watched")).containsEntry("active", false);
      }
    } finally {
      watchers.forEach(SseStream::close);
    }
  }

  private static SseStream.Event nextRawEventFor(SseStream observer, String topic) throws Exception {
    while (true) {
      SseStream.Event e = observer.nextData();
      if (topic.equals(JSONObjectUtils.parse(e.data()).get("topic"))) {
        return e;
      }
    }
  }

  /** The next subscription event about {@code topic} (the observer also sees its own, and others). */
  private static Map<String, Object> nextEventFor(SseStream observer, String topic) throws Exception {
    while (true) {
      Map<String, Object> event = JSONObjectUtils.parse(observer.nextData().data());
      if (topic.equals(event.get("topic"))) {
        return event;
      }
    }
  }

  @Test
  void apiNeedsAMatchingSubscriberToken() throws Exception {
    assertThat(api("/.well-known/mercure/subscriptions", null).statusCode()).isEqualTo(401);
    assertThat(api("/.well-known/mercure/subscriptions", "garbage").statusCode()).isEqualTo(401);
    String other = HubFixture.token(List.of(), List.of("https://example.com/{x}"));
    HttpResponse<String> forbidden = api("/.well-known/mercure/subscriptions", other);
    assertThat(forbidden.statusCode()).isEqualTo(403);
  }

  @Test
  void disabledByDefault() throws Exception {
    try (HubFixture plain = new HubFixture(b -> b.anonymous(true))) {
      HttpResponse<String> res = plain.http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plain.port() + "/.well-known/mercure/subscriptions")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(404);
      assertThat(res.body()).contains("--subscriptions");
    }
  }
}
