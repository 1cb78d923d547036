package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.herald.core.history.MemoryHistory;
import io.herald.core.transport.HistoryTransport;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Subscription events never push application updates out of the history (issue 14, finding 11;
 * docs/decisions/0004-subscription-events-retention.md), and the subscriptions API's {@code
 * lastEventID} still resumes the events without a gap, as the Mercure spec asks.
 */
class SubscriptionEventsRetentionTest {
  static final String EVENTS = "/.well-known/mercure/subscriptions/{topic}/{subscriber}";
  static final String API = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
  /** Application updates the hub keeps: fewer than the attack's events by far. */
  static final int HISTORY = 20;
  HubFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture(new HistoryTransport(new MemoryHistory(HISTORY)),
        b -> b.anonymous(true).subscriptions(true));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void anonymousSubscriptionsCannotEvictAcknowledgedUpdates() throws Exception {
    f.publishOk("topic", "https://example.com/app", "id", "app-1", "data", "one");
    f.publishOk("topic", "https://example.com/app", "id", "app-2", "data", "two");
    // The attack: 12 anonymous requests x 100 topics, opened and closed (2,400 events).
    for (int r = 0; r < 12; r++) {
      String[] topics = new String[100];
      for (int i = 0; i < topics.length; i++) {
        topics[i] = "https://example.com/spam/" + r + "/" + i;
      }
      try (SseStream s = f.subscribe(f.subscribeUri(topics))) {
        assertThat(s.status()).isEqualTo(200);
      }
    }
    f.publishOk("topic", "https://example.com/app", "id", "app-3", "data", "three");
    try (SseStream s = f.subscribe(f.subscribeUri("https://example.com/app"), "Last-Event-ID", "app-1")) {
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue("app-1");
      assertThat(s.nextData().id()).isEqualTo("app-2");
      assertThat(s.nextData().id()).isEqualTo("app-3");
    }
  }

  @Test
  void theApiLastEventIdResumesTheSubscriptionEventsWithoutAGap() throws Exception {
    String observer = HubFixture.token(List.of(), List.of(EVENTS, API));
    f.publishOk("topic", "https://example.com/app", "id", "app-1");
    HttpResponse<String> list = f.http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.port() + "/.well-known/mercure/subscriptions"))
            .header("Authorization", "Bearer " + observer).build(),
        HttpResponse.BodyHandlers.ofString());
    String lastEventId = (String) JSONObjectUtils.parse(list.body()).get("lastEventID");
    // Between the API read and the observer's subscribe: one subscriber comes and goes, with
    // more events than the application history holds.
    String[] topics = new String[2 * HISTORY];
    for (int i = 0; i < topics.length; i++) {
      topics[i] = "https://example.com/late/" + i;
    }
    try (SseStream late = f.subscribe(f.subscribeUri(topics))) {
      assertThat(late.status()).isEqualTo(200);
    }
    f.publishOk("topic", "https://example.com/app", "id", "app-2"); // after every event above
    try (SseStream s = f.subscribe(f.subscribeUri(EVENTS), "Authorization", "Bearer " + observer,
        "Last-Event-ID", lastEventId)) {
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue(lastEventId);
      List<String> opened = new ArrayList<>();
      List<String> closed = new ArrayList<>();
      while (opened.size() + closed.size() < 2 * topics.length) {
        Map<String, Object> e = JSONObjectUtils.parse(s.nextData().data());
        (Boolean.TRUE.equals(e.get("active")) ? opened : closed).add((String) e.get("topic"));
      }
      assertThat(opened).containsExactly(topics);
      assertThat(closed).containsExactlyInAnyOrder(topics);
    }
  }
}
