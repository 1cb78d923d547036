package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input gets a clear status and one-line reason, and harms nobody: the hub keeps serving and
 * no other subscriber's stream is touched.
 */
class BadInputTest {
  HubFixture f;
  SseStream bystander;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true).maxTopics(5).maxBodyBytes(64 * 1024));
    bystander = f.subscribe(f.subscribeUri("*"));
  }

  @AfterEach
  void stop() throws Exception {
    // After every kind of abuse the hub still works and the bystander saw only real updates.
    String id = f.publishOk("topic", "after", "data", "still fine");
    SseStream.Event e = bystander.nextData();
    assertThat(e.id()).isEqualTo(id);
    bystander.close();
    f.close();
  }

  private void assertRefused(int status, String reasonPart, String... pairs) throws Exception {
    HttpResponse<String> res = f.publish(HubFixture.publisherToken(), pairs);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    assertThat(res.body()).contains(reasonPart);
    assertThat(res.body().strip()).doesNotContain("\n");
  }

  @Test
  void idStartingWithHashIsRefused() throws Exception {
    assertRefused(400, "must not start with #", "topic", "t", "id", "#frag");
  }

  @Test
  void lineBreaksAndNulInIdOrTypeAreRefused() throws Exception {
    assertRefused(400, "\"id\" must not contain", "topic", "t", "id", "a\nid: injected");
    assertRefused(400, "\"id\" must not contain", "topic", "t", "id", "a\rb");
    assertRefused(400, "\"id\" must not contain", "topic", "t", "id", "a\u0000b");
    assertRefused(400, "\"type\" must not contain", "topic", "t", "type", "x\n\ndata: evil");
    assertRefused(400, "\"type\" must not contain", "topic", "t", "type", "x\u0000");
  }

  @Test
  void dataCannotInjectEventsOrFields() throws Exception {
    String id = f.publishOk("topic", "t", "data", "a\n\nid: forged\nevent: evil\ndata: evil\n\n", "id", "real");
    SseStream.Event e = bystander.nextData();
    assertThat(e.id()).isEqualTo(id);
    assertThat(e.type()).isNull();
    assertThat(e.data()).isEqualTo("a\n\nid: forged\nevent: evil\ndata: evil\n\n");
  }

  @Test
  void reservedTopicsMissingTopicsAndTooManyTopicsAreRefused() throws Exception {
    assertRefused(400, "reserved", "topic", "/.well-known/mercure/subscriptions/x/y", "data", "forged");
    assertRefused(400, "missing \"topic\"", "data", "x");
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      pairs.add("topic");
      pairs.add("t" + i);
    }
    assertRefused(400, "too many topics", pairs.toArray(String[]::new));
    assertRefused(400, "retry", "topic", "t", "retry", "soon");
  }

  @Test
  void tooManySubscribeTopicsAndNoTopicAreRefused() throws Exception {
    try (SseStream s = f.subscribe(f.subscribeUri("a", "b", "c", "d", "e", "f"))) {
      assertThat(s.status()).isEqualTo(400);
      assertThat(s.body()).contains("too many topics");
    }
    try (SseStream s = f.subscribe(URI.create(f.hubUrl()))) {
      assertThat(s.status()).isEqualTo(400);
      assertThat(s.body()).contains("missing \"topic\"");
    }
  }

  @Test
  void malformedFormsAndWrongContentTypeAre400() throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(f.hubUrl()))
        .header("Authorization", "Bearer " + HubFixture.publisherToken());
    HttpResponse<String> badEscape = f.http.send(
        r.copy().header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("topic=%zz&data=x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(badEscape.statusCode()).isEqualTo(400);
    assertThat(badEscape.body()).contains("malformed percent-encoding");
    HttpResponse<String> json = f.http.send(
        r.copy().header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(json.statusCode()).isEqualTo(400);
    assertThat(json.body()).contains("application/x-www-form-urlencoded");
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    HttpResponse<String> res = f.publish(HubFixture.publisherToken(), "topic", "t", "data", "x".repeat(100_000));
    assertThat(res.statusCode()).isEqualTo(413);
    assertThat(res.body()).contains("larger than 65536 bytes");
  }

  @Test
  void expectContinueWithAnOversizedBodyGets413WithItsReason() throws Exception {
    String answer = RawHttp.exchange(f.port(), "POST /.well-known/mercure HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 999999\r\n"
        + "Expect: 100-continue\r\n\r\n");
    assertThat(RawHttp.status(answer)).isEqualTo(413);
    assertThat(answer).contains("request body larger than 65536 bytes");
  }

  @Test
  void overlongUriIs414AndOversizedHeadersAre431() throws Exception {
    String longUri = RawHttp.exchange(f.port(),
        "GET /.well-known/mercure?topic=" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(RawHttp.status(longUri)).isEqualTo(414);
    String bigHeaders = RawHttp.exchange(f.port(),
        "GET /.well-known/mercure?topic=a HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n");
    assertThat(RawHttp.status(bigHeaders)).isEqualTo(431);
  }

  @Test
  void garbageIs400AndNeverCrashesTheHub() throws Exception {
    assertThat(RawHttp.status(RawHttp.exchange(f.port(), "HELLO\r\n\r\n"))).isEqualTo(400);
    byte[] binary = new byte[4096];
    new java.util.Random(42).nextBytes(binary);
    binary[0] = 'G';
    String answer = RawHttp.exchange(f.port(), binary);
    assertThat(answer).satisfiesAnyOf(
        a -> assertThat(a).isEmpty(), a -> assertThat(RawHttp.status(a)).isBetween(400, 499));
    String badHeader = RawHttp.exchange(f.port(),
        "GET /.well-known/mercure?topic=t HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n");
    assertThat(RawHttp.status(badHeader)).isEqualTo(400);
  }
}
