package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.hub.http.Query;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing is dropped silently from a request: a form or query with more fields than {@link
 * Query#MAX_PARAMS} is refused with 400 and a reason, never decoded up to the cap. Before, the
 * fields past the cap were ignored, so {@code private=on} at the end of a long form published a
 * private update publicly.
 */
class ParameterLimitTest {
  HubFixture f;
  SseStream bystander;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true));
    bystander = f.subscribe(f.subscribeUri("*"));
  }

  @AfterEach
  void stop() throws Exception {
    // The anonymous bystander sees public updates only: the refused one never reached it.
    String id = f.publishOk("topic", "after", "data", "still fine");
    assertThat(bystander.nextData().id()).isEqualTo(id);
    bystander.close();
    f.close();
  }

  @Test
  void aPublishWithFieldsPastTheCapIsRefusedNotPublishedPublicly() throws Exception {
    List<String> pairs = new ArrayList<>(List.of("topic", "secret", "data", "X"));
    for (int i = 0; i < 1100; i++) {
      pairs.add("f" + i);
      pairs.add("x");
    }
    pairs.add("private");
    pairs.add("on");
    HttpResponse<String> res = f.publish(HubFixture.publisherToken(), pairs.toArray(String[]::new));
    assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
    assertThat(res.body().strip()).contains("too many").contains(String.valueOf(Query.MAX_PARAMS))
        .doesNotContain("\n");
  }

  @Test
  void aPublishWithExactlyTheCapIsDecodedWhole() throws Exception {
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < Query.MAX_PARAMS - 3; i++) {
      pairs.add("f" + i);
      pairs.add("x");
    }
    pairs.addAll(List.of("topic", "capped", "data", "whole", "private", "on"));
    assertThat(pairs).hasSize(2 * Query.MAX_PARAMS);
    String id = f.publishOk(pairs.toArray(String[]::new));
    assertThat(id).isNotBlank();
    // private=on, the last of exactly MAX_PARAMS fields, was read: the anonymous bystander
    // does not get the update (the next event it sees is the one published in stop()).
  }

  @Test
  void aSubscribeWithQueryParametersPastTheCapIsRefused() throws Exception {
    StringBuilder q = new StringBuilder("?topic=a");
    for (int i = 0; i < 1100; i++) {
      q.append("&p=x"); // short: the whole URI stays under the hub's URI length cap
    }
    q.append("&topic=b");
    // A stream, not a string: before the fix this opened an event stream that never ends.
    try (SseStream res = f.subscribe(URI.create(f.hubUrl() + q))) {
      assertThat(res.status()).isEqualTo(400);
      assertThat(res.body().strip()).contains("too many").contains(String.valueOf(Query.MAX_PARAMS))
          .doesNotContain("\n");
    }
  }

  @Test
  void decodingCountsEveryValueOfRepeatedNames() {
    StringBuilder s = new StringBuilder("topic=0");
    for (int i = 1; i <= Query.MAX_PARAMS; i++) {
      s.append("&topic=").append(i);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Query.form(s.toString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too many");
    String exactly = s.substring(0, s.lastIndexOf("&"));
    assertThat(Query.form(exactly).get("topic")).hasSize(Query.MAX_PARAMS);
  }
}
