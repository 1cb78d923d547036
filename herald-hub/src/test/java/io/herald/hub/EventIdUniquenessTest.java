package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Event IDs are unique in the history (issue 14, finding 6): a publisher of one topic cannot take
 * another topic's ID and so make that topic's subscribers resume past updates they never got; a
 * publisher retrying with the same ID and fields gets its 200 again without a duplicate.
 */
class EventIdUniquenessTest {
  HubFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void aPublisherOfAnotherTopicCannotTakeAnIdAndMakeItsSubscribersSkipUpdates() throws Exception {
    f.publishOk("topic", "https://example.com/b", "id", "b-1", "data", "one");
    f.publishOk("topic", "https://example.com/b", "id", "b-2", "data", "two");
    f.publishOk("topic", "https://example.com/b", "id", "b-3", "data", "three");

    HttpResponse<String> attack = f.publish(HubFixture.publisherToken(),
        "topic", "https://example.com/a", "id", "b-1", "data", "hijack");
    assertThat(attack.statusCode()).isEqualTo(409);
    assertThat(attack.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    assertThat(attack.body().trim()).isEqualTo("\"id\" is already used by a different update");

    f.publishOk("topic", "https://example.com/b", "id", "b-4", "data", "four");
    try (SseStream s = f.subscribe(f.subscribeUri("https://example.com/b"), "Last-Event-ID", "b-1")) {
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue("b-1");
      assertThat(s.nextData().id()).isEqualTo("b-2");
      assertThat(s.nextData().id()).isEqualTo("b-3");
      assertThat(s.nextData().id()).isEqualTo("b-4");
    }
    // The refused update reached no one: a subscriber of A replaying everything sees nothing of it.
    f.publishOk("topic", "https://example.com/a", "id", "a-1");
    try (SseStream a = f.subscribe(f.subscribeUri("https://example.com/a"), "Last-Event-ID", "earliest")) {
      assertThat(a.nextData().id()).isEqualTo("a-1");
    }
    assertThat(metric("herald_publishes_total{result=\"conflict\"}")).isEqualTo(1);
  }

  @Test
  void aRetryWithTheSameFieldsGets200AndTheSameIdAndIsDeliveredOnce() throws Exception {
    String[] publish = {"topic", "t", "topic", "t2", "id", "r-1", "data", "x", "type", "k", "retry", "10"};
    try (SseStream live = f.subscribe(f.subscribeUri("t"))) {
      assertThat(f.publishOk(publish)).isEqualTo("r-1");
      assertThat(f.publishOk(publish)).isEqualTo("r-1"); // the publisher lost the first 200
      f.publishOk("topic", "t", "id", "r-2");
      assertThat(live.nextData().id()).isEqualTo("r-1");
      assertThat(live.nextData().id()).isEqualTo("r-2");
    }
    try (SseStream replay = f.subscribe(f.subscribeUri("t"), "Last-Event-ID", "earliest")) {
      assertThat(replay.nextData().id()).isEqualTo("r-1");
      assertThat(replay.nextData().id()).isEqualTo("r-2");
    }
    // Any differing field makes it another update: 409, whatever the field.
    String[][] different = {
      {"topic", "t", "id", "r-1", "data", "x", "type", "k", "retry", "10"},
      {"topic", "t", "topic", "t2", "id", "r-1", "data", "y", "type", "k", "retry", "10"},
      {"topic", "t", "topic", "t2", "id", "r-1", "data", "x", "retry", "10"},
      {"topic", "t", "topic", "t2", "id", "r-1", "data", "x", "type", "k", "retry", "11"},
      {"topic", "t", "topic", "t2", "id", "r-1", "data", "x", "type", "k", "retry", "10", "private", "on"},
    };
    for (String[] d : different) {
      assertThat(f.publish(HubFixture.publisherToken(), d).statusCode()).isEqualTo(409);
    }
    assertThat(metric("herald_publishes_total{result=\"duplicate\"}")).isEqualTo(1);
    assertThat(metric("herald_publishes_total{result=\"conflict\"}")).isEqualTo(different.length);
    assertThat(metric("herald_history_last_sequence")).isEqualTo(2);
  }

  private double metric(String series) throws Exception {
    HttpResponse<String> scrape = f.http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape.body());
    if (!m.find()) {
      throw new AssertionError("no series " + series + " in:\n" + scrape.body());
    }
    return Double.parseDouble(m.group(1));
  }
}
