package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The protocol's publish and subscribe rules, over real HTTP/1.1 on loopback. */
class PublishSubscribeTest {
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
  void subscriberReceivesPublishedUpdateWithGeneratedId() throws Exception {
    try (SseStream s = f.subscribe(f.subscribeUri("https://example.com/books/1"))) {
      assertThat(s.status()).isEqualTo(200);
      assertThat(s.response.headers().firstValue("content-type")).hasValue("text/event-stream");
      assertThat(s.response.headers().firstValue("cache-control")).hasValue("no-cache");
      assertThat(s.response.headers().firstValue("x-accel-buffering")).hasValue("no");

      HttpResponse<String> res = f.publish(HubFixture.publisherToken(),
          "topic", "https://example.com/books/1", "data", "{\"title\":\"Dune\"}");
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      String id = res.body().trim();
      assertThat(id).startsWith("urn:uuid:");

      SseStream.Event e = s.nextData();
      assertThat(e.id()).isEqualTo(id);
      assertThat(e.data()).isEqualTo("{\"title\":\"Dune\"}");
      assertThat(e.type()).isNull();
    }
  }

  @Test
  void publisherIdTypeAndRetryAreKept() throws Exception {
    try (SseStream s = f.subscribe(f.subscribeUri("t"))) {
      String id = f.publishOk("topic", "t", "data", "x", "id", "my-id-1", "type", "book-updated", "retry", "2500");
      assertThat(id).isEqualTo("my-id-1");
      SseStream.Event e = s.nextData();
      assertThat(e).isEqualTo(new SseStream.Event("my-id-1", "book-updated", "x", "2500"));
    }
  }

  @Test
  void dataLineBreaksBecomeSeparateDataLinesAndComeBackAsLf() throws Exception {
    try (SseStream s = f.subscribe(f.subscribeUri("t"))) {
      f.publishOk("topic", "t", "data", "one\r\ntwo\rthree\nfour", "id", "lb");
      assertThat(s.nextData().data()).isEqualTo("one\ntwo\nthree\nfour");
      assertThat(s.raw()).contains("data: one\ndata: two\ndata: three\ndata: four\n");
    }
  }

  @Test
  void emptyDataIsStillAnEvent() throws Exception {
    try (SseStream s = f.subscribe(f.subscribeUri("t"))) {
      f.publishOk("topic", "t", "id", "empty");
      SseStream.Event e = s.nextData();
      assertThat(e.id()).isEqualTo("empty");
      assertThat(e.data()).isEmpty();
    }
  }

  @Test
  void alternateTopicsReachTheirSubscribersOnce() throws Exception {
    try (SseStream canonical = f.subscribe(f.subscribeUri("https://example.com/a"));
        SseStream alternate = f.subscribe(f.subscribeUri("https://example.com/b"));
        SseStream both = f.subscribe(f.subscribeUri("https://example.com/a", "https://example.com/b"));
        SseStream other = f.subscribe(f.subscribeUri("https://example.com/c"))) {
      f.publishOk("topic", "https://example.com/a", "topic", "https://example.com/b", "data", "1", "id", "u1");
      f.publishOk("topic", "https://example.com/c", "data", "2", "id", "u2");
      assertThat(canonical.nextData().id()).isEqualTo("u1");
      assertThat(alternate.nextData().id()).isEqualTo("u1");
      assertThat(both.nextData().id()).isEqualTo("u1");
      assertThat(other.nextData().id()).isEqualTo("u2");
      // "both" matched twice but must get u1 once: the next thing it sees is the next publish.
      f.publishOk("topic", "https://example.com/a", "data", "3", "id", "u3");
      assertThat(both.nextData().id()).isEqualTo("u3");
    }
  }

  @Test
  void selectorsWildcardExactAndTemplate() throws Exception {
    try (SseStream any = f.subscribe(f.subscribeUri("*"));
        SseStream template = f.subscribe(f.subscribeUri("https://example.com/books/{id}"));
        SseStream exact = f.subscribe(f.subscribeUri("https://example.com/books/1"))) {
      f.publishOk("topic", "https://example.com/books/2", "id", "b2");
      f.publishOk("topic", "https://example.com/books/1/reviews/9", "id", "r9");
      f.publishOk("topic", "https://example.com/books/1", "id", "b1");
      assertThat(List.of(any.nextData().id(), any.nextData().id(), any.nextData().id()))
          .containsExactly("b2", "r9", "b1");
      assertThat(List.of(template.nextData().id(), template.nextData().id())).containsExactly("b2", "b1");
      assertThat(exact.nextData().id()).isEqualTo("b1");
    }
  }

  @Test
  void everySubscriberSeesUpdatesInPublishOrder() throws Exception {
    try (SseStream a = f.subscribe(f.subscribeUri("t"));
        SseStream b = f.subscribe(f.subscribeUri("*"))) {
      for (int i = 0; i < 200; i++) {
        f.publishOk("topic", "t", "id", "o" + i, "data", Integer.toString(i));
      }
      for (int i = 0; i < 200; i++) {
        assertThat(a.nextData().id()).isEqualTo("o" + i);
        assertThat(b.nextData().id()).isEqualTo("o" + i);
      }
    }
  }

  @Test
  void http10SubscribersGetAnUnchunkedStreamAndHttp11OnesValidChunks() throws Exception {
    try (java.net.Socket old = new java.net.Socket("127.0.0.1", f.port());
        java.net.Socket chunked = new java.net.Socket("127.0.0.1", f.port())) {
      old.setSoTimeout(10_000);
      chunked.setSoTimeout(10_000);
      old.getOutputStream().write("GET /.well-known/mercure?topic=t HTTP/1.0\r\n\r\n".getBytes());
      chunked.getOutputStream().write("GET /.well-known/mercure?topic=t HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      String oldHead = readUntil(old.getInputStream(), "\r\n\r\n");
      String chunkedHead = readUntil(chunked.getInputStream(), "\r\n\r\n");
      assertThat(oldHead).contains(" 200 OK").doesNotContainIgnoringCase("transfer-encoding");
      assertThat(chunkedHead).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
      f.publishOk("topic", "t", "id", "raw", "data", "é");
      String event = "id: raw\ndata: é\n\n";
      int length = event.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      assertThat(readUntil(old.getInputStream(), "\n\n")).isEqualTo(event);
      assertThat(readUntil(chunked.getInputStream(), "\n\n\r\n"))
          .isEqualTo(Integer.toHexString(length) + "\r\n" + event + "\r\n");
    }
  }

  private static String readUntil(java.io.InputStream in, String end) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    while (!out.toString(java.nio.charset.StandardCharsets.UTF_8).endsWith(end)) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("stream ended after: " + out);
      }
      out.write(b);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void retryHintIsSentWhenTheStreamOpens() throws Exception {
    try (HubFixture g = new HubFixture(b -> b.anonymous(true).retryMillis(1234));
        SseStream s = g.subscribe(g.subscribeUri("t"))) {
      assertThat(s.next().retry()).isEqualTo("1234");
    }
  }

  @Test
  void idleStreamsGetHeartbeatComments() throws Exception {
    try (HubFixture g = new HubFixture(b -> b.anonymous(true).heartbeat(java.time.Duration.ofMillis(100)));
        SseStream s = g.subscribe(g.subscribeUri("t"))) {
      String first = s.comments.poll(SseStream.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(first).isEqualTo(":");
      String second = s.comments.poll(SseStream.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(second).isEqualTo(":");
    }
  }

  @Test
  void pageIsServedOnTheHubOrigin() throws Exception {
    HttpResponse<String> res = f.http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + f.port() + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("text/html");
    assertThat(res.body()).contains("EventSource").contains("/.well-known/mercure");
  }

  @Test
  void unknownPathIs404AndWrongMethodIs405() throws Exception {
    HttpResponse<String> missing = f.http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + f.port() + "/nope")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    HttpResponse<String> put = f.http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.hubUrl()))
            .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("allow")).hasValue("GET, POST, OPTIONS");
  }
}
