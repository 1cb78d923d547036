package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.cli.ServeProcessTest.Herald;
import io.herald.cli.ServeProcessTest.Sse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, findings 1 and 2, against a hub process with a small heap: clients that send long URI
 * templates, and publishers that send many distinct large topics, must not fill the hub's heap
 * through its topic matching caches. After each attack the process is still up, a bystander
 * subscriber still receives what is published, and a publish still gets 200.
 *
 * <p>Sizes: a compiled template used to cost about 32 bytes per character and stayed cached (a
 * count-bounded map, never evicted) after its subscriber left, and every (selector, topic) match
 * result kept its topic. The floods below retain several times the 96 MiB heap that way.
 */
class MatchCacheAttackProcessTest {
  /** The heap the hub runs in; an OutOfMemoryError ends the process instead of leaving a zombie. */
  private static final List<String> SMALL_HEAP =
      List.of("-Xmx96m", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError");
  /** Subscribers per wave, each holding its connection open with three long templates. */
  private static final int SUBSCRIBERS = 700;
  private static final int TEMPLATES_PER_SUBSCRIBER = 3;
  /** Characters of a template: long, but under the hub's selector cap and UriTemplate's NFA cap. */
  private static final int TEMPLATE_CHARS = 1900;
  /** Distinct 500 KB topics in the publisher flood (finding 2): over the topic cap now. */
  private static final int LARGE_TOPICS = 250;
  private static final int LARGE_TOPIC_CHARS = 500_000;
  /** Distinct topics just under the cap: accepted, and together far over the match cache's bound. */
  private static final int CAPPED_TOPICS = 1500;
  private static final int CAPPED_TOPIC_CHARS = 4000;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void subscribersWithManyLongTemplatesDoNotExhaustTheHeap() throws Exception {
    try (Herald hub = Herald.serve(dir, Map.of(), SMALL_HEAP, "--anonymous", "--history", "none")) {
      FormPublisher publisher = new FormPublisher(http, hub.token);
      try (Sse bystander = Sse.open(http, URI.create(hub.hubUrl + "?topic=" + enc("bystander/{id}")), Map.of())) {
        assertThat(bystander.status()).as(bystander.describe()).isEqualTo(200);
        for (int wave = 0; wave < 2; wave++) {
          List<Socket> attackers = new ArrayList<>();
          try {
            for (int i = 0; i < SUBSCRIBERS; i++) {
              attackers.add(subscribeRaw(hub, longTemplates(wave, i)));
            }
            // Dispatching an update tries every pattern: the unfixed hub compiles them all here.
            assertDelivered(hub, publisher, bystander, "bystander/wave" + wave);
          } finally {
            for (Socket s : attackers) {
              s.close();
            }
          }
        }
        assertDelivered(hub, publisher, bystander, "bystander/after");
      }
    }
  }

  @Test
  void manyDistinctLargeTopicsDoNotExhaustTheHeap() throws Exception {
    try (Herald hub = Herald.serve(dir, Map.of(), SMALL_HEAP, "--anonymous", "--history", "none")) {
      FormPublisher publisher = new FormPublisher(http, hub.token);
      try (Sse bystander = Sse.open(http, URI.create(hub.hubUrl + "?topic=" + enc("bystander/{id}")), Map.of())) {
        assertThat(bystander.status()).as(bystander.describe()).isEqualTo(200);
        try (Sse flooded = Sse.open(http, URI.create(hub.hubUrl + "?topic=" + enc("https://big.example/{+path}")),
            Map.of())) {
          assertThat(flooded.status()).as(flooded.describe()).isEqualTo(200);
          List<HttpResponse<String>> large = new ArrayList<>();
          for (int i = 0; i < LARGE_TOPICS; i++) {
            large.add(publishOrDead(hub, publisher, "topic", distinctTopic(i, LARGE_TOPIC_CHARS), "data", "x"));
          }
          assertDelivered(hub, publisher, bystander, "bystander/large");
          for (HttpResponse<String> res : large) {
            assertThat(res.statusCode()).as("a 500 KB topic; reason: %s", res.body()).isIn(400, 413);
            assertThat(res.body().strip()).doesNotContain("\n").containsIgnoringCase("topic");
          }
          for (int i = 0; i < CAPPED_TOPICS; i++) {
            HttpResponse<String> res = publishOrDead(hub, publisher, "topic", distinctTopic(i, CAPPED_TOPIC_CHARS), "data", "x");
            assertThat(res.statusCode()).as("a topic under the cap; reason: %s", res.body()).isEqualTo(200);
          }
          assertDelivered(hub, publisher, bystander, "bystander/during");
        }
        assertDelivered(hub, publisher, bystander, "bystander/after");
      }
    }
  }

  @Test
  void theCapAndTheCacheBudgetAreSetByServeFlags() throws Exception {
    try (Herald hub = Herald.serve(dir, Map.of(), "--anonymous", "--history", "none",
        "--max-topic-bytes", "64", "--match-cache-bytes", "1048576")) {
      try (Sse refused = Sse.open(http, URI.create(hub.hubUrl + "?topic=" + enc("https://e.com/{id}/" + "x".repeat(46))),
          Map.of())) {
        assertThat(refused.describe().strip()).isEqualTo("400 topic selector longer than 64 bytes");
      }
      FormPublisher publisher = new FormPublisher(http, hub.token);
      HttpResponse<String> res = publisher.publish(hub.hubUrl, "topic", "t".repeat(65), "data", "x");
      assertThat(res.statusCode()).isEqualTo(400);
      assertThat(res.body().strip()).isEqualTo("topic longer than 64 bytes");
      HttpResponse<String> metrics = http.send(java.net.http.HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + hub.port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).containsPattern("(?m)^herald_match_cache_budget_bytes(\\{[^}]*})? 1048576(\\.0)?$");
    }
  }

  // ---- helpers ----

  /** Three distinct long templates for subscriber {@code i} of {@code wave}. */
  private static List<String> longTemplates(int wave, int i) {
    List<String> templates = new ArrayList<>();
    for (int t = 0; t < TEMPLATES_PER_SUBSCRIBER; t++) {
      String head = "https://flood.example/" + wave + "/" + i + "/" + t + "/";
      templates.add(head + "p".repeat(TEMPLATE_CHARS - head.length() - 5) + "/{id}");
    }
    return templates;
  }

  private static String distinctTopic(int i, int chars) {
    String head = "https://big.example/" + i + "/";
    return head + "t".repeat(chars - head.length());
  }

  /** Opens an HTTP/1.1 event stream with {@code selectors} on a raw socket and reads its 200 header. */
  private static Socket subscribeRaw(Herald hub, List<String> selectors) throws Exception {
    StringBuilder query = new StringBuilder();
    for (String s : selectors) {
      query.append(query.length() == 0 ? '?' : '&').append("topic=").append(enc(s));
    }
    Socket socket;
    try {
      socket = new Socket(InetAddress.getLoopbackAddress(), hub.port);
    } catch (IOException e) {
      throw dead(hub, "refused a subscriber connection: " + e);
    }
    socket.setSoTimeout(60_000);
    socket.getOutputStream().write(("GET /.well-known/mercure" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    String head = readHead(socket.getInputStream());
    if (!head.startsWith("HTTP/1.1 200")) {
      socket.close();
      throw dead(hub, "answered a subscriber with: " + head.lines().findFirst().orElse("nothing"));
    }
    return socket;
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** A legitimate publish gets 200 and the bystander receives it. */
  private static void assertDelivered(Herald hub, FormPublisher publisher, Sse bystander, String topic)
      throws Exception {
    HttpResponse<String> res = publishOrDead(hub, publisher, "topic", topic, "data", "still here");
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    Sse.Event e;
    try {
      e = bystander.nextData();
    } catch (AssertionError nothing) {
      throw dead(hub, "accepted a publish but never delivered it to the bystander");
    }
    assertThat(e.id()).isEqualTo(res.body().trim());
    assertThat(e.data()).isEqualTo("still here");
    assertThat(hub.process.isAlive()).isTrue();
  }

  private static HttpResponse<String> publishOrDead(Herald hub, FormPublisher publisher, String... pairs)
      throws Exception {
    try {
      return publisher.publish(hub.hubUrl, pairs);
    } catch (IOException e) {
      throw dead(hub, "did not answer a publish: " + e);
    }
  }

  /** The failure to report when the hub stops serving: whether it is still alive, and its stderr. */
  private static AssertionError dead(Herald hub, String what) throws Exception {
    hub.process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    return new AssertionError("the hub " + what + "; process "
        + (hub.process.isAlive() ? "still alive" : "exited with " + hub.process.exitValue())
        + "; stderr tail:\n" + tail(Files.readString(hub.stderr)));
  }

  private static String tail(String s) {
    return s.length() <= 3000 ? s : s.substring(s.length() - 3000);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
