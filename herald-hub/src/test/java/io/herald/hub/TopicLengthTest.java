package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, findings 1 and 2: the length of a topic selector (what a subscriber makes the hub
 * compile and hold) and of a topic (what a publisher makes it match and cache) is capped by
 * {@code maxTopicBytes}, in UTF-8 bytes. Over the cap is a 400 with a one-line reason naming the
 * cap, and harms nobody else.
 */
class TopicLengthTest {
  private static final int CAP = 100;
  HubFixture f;
  SseStream bystander;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true).maxTopicBytes(CAP));
    bystander = f.subscribe(f.subscribeUri("bystander/{id}"));
    assertThat(bystander.status()).isEqualTo(200);
  }

  @AfterEach
  void stop() throws Exception {
    String id = f.publishOk("topic", "bystander/1", "data", "still fine");
    assertThat(bystander.nextData().id()).isEqualTo(id);
    bystander.close();
    f.close();
  }

  @Test
  void aSelectorOverTheCapIs400AndOneAtTheCapIsServed() throws Exception {
    String atCap = "https://e.com/{id}/" + "x".repeat(CAP - 19);
    assertThat(atCap).hasSize(CAP);
    try (SseStream s = f.subscribe(f.subscribeUri("t", atCap + "y"))) {
      assertThat(s.status()).isEqualTo(400);
      assertThat(s.body().strip()).isEqualTo("topic selector longer than " + CAP + " bytes");
    }
    // Bytes, not characters: 34 three-byte characters are 102 bytes.
    try (SseStream s = f.subscribe(f.subscribeUri("\u20ac".repeat(34)))) {
      assertThat(s.status()).isEqualTo(400);
      assertThat(s.body()).contains("longer than " + CAP + " bytes");
    }
    try (SseStream s = f.subscribe(f.subscribeUri(atCap))) {
      assertThat(s.status()).isEqualTo(200);
      String id = f.publishOk("topic", "https://e.com/7/" + "x".repeat(CAP - 19), "data", "hit");
      assertThat(s.nextData().id()).isEqualTo(id);
    }
  }

  @Test
  void aTopicOverTheCapIs400AlternatesToo() throws Exception {
    String tooLong = "https://e.com/" + "t".repeat(CAP);
    for (String[] pairs : new String[][] {
        {"topic", tooLong, "data", "x"},
        {"topic", "bystander/2", "topic", tooLong, "data", "x"}}) {
      HttpResponse<String> res = f.publish(HubFixture.publisherToken(), pairs);
      assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
      assertThat(res.body().strip()).isEqualTo("topic longer than " + CAP + " bytes");
    }
    assertThat(f.publishOk("topic", "https://e.com/" + "t".repeat(CAP - 14), "data", "x")).isNotBlank();
  }
}
