package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.herald.hub.HubFixture;
import io.herald.hub.SseStream;
import io.herald.hub.auth.TokenIssuer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three hub nodes in this JVM sharing one real redis-server, tested over real HTTP. */
class ClusterTest {
  private static final String SUBSCRIPTIONS_API = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
  private static final String SUBSCRIPTION_EVENTS = "/.well-known/mercure/subscriptions/{topic}/{subscriber}";
  @TempDir Path dir;
  RedisServer redis;
  Node a;
  Node b;
  Node c;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start(dir);
    a = new Node(redis.uri());
    b = new Node(redis.uri());
    c = new Node(redis.uri());
  }

  @AfterEach
  void stop() throws Exception {
    closeNodes();
    redis.close();
  }

  @Test
  void publishedOnOneNodeReceivedOnTheOthersWithTopicSelectors() throws Exception {
    try (SseStream onB = b.subscribe(b.subscribeUri("https://example.com/books/{id}"));
        SseStream onC = c.subscribe(c.subscribeUri("https://example.com/books/1"));
        SseStream onA = a.subscribe(a.subscribeUri("*"))) {
      assertThat(onB.status()).isEqualTo(200);
      String first = a.publishOk("topic", "https://example.com/books/1", "data", "one");
      a.publishOk("topic", "https://example.com/authors/1", "data", "author");
      a.publishOk("topic", "https://example.com/books/2", "data", "two\nlines", "type", "book", "id", "pub-2");
      a.publishOk("topic", "https://example.com/other", "topic", "https://example.com/books/1", "data", "alt");

      assertThat(onB.nextData().data()).isEqualTo("one");
      SseStream.Event two = onB.nextData();
      assertThat(two.data()).isEqualTo("two\nlines");
      assertThat(two.type()).isEqualTo("book");
      assertThat(two.id()).isEqualTo("pub-2");
      assertThat(onB.nextData().data()).isEqualTo("alt");

      SseStream.Event one = onC.nextData();
      assertThat(one.id()).isEqualTo(first);
      assertThat(one.data()).isEqualTo("one");
      assertThat(onC.nextData().data()).isEqualTo("alt");

      assertThat(List.of(onA.nextData().data(), onA.nextData().data(), onA.nextData().data(), onA.nextData().data()))
          .containsExactly("one", "author", "two\nlines", "alt");
    }
  }

  @Test
  void privateUpdatesReachOnlyAuthorizedSubscribersOnEveryNode() throws Exception {
    String token = Node.token(List.of(), List.of("https://example.com/books/{id}"));
    try (SseStream anonymousOnB = b.subscribe(b.subscribeUri("https://example.com/books/1"));
        SseStream authorizedOnC = c.subscribe(c.subscribeUri("https://example.com/books/1"),
            "Authorization", "Bearer " + token);
        SseStream otherGrantOnB = b.subscribe(b.subscribeUri("https://example.com/books/1"),
            "Authorization", "Bearer " + Node.token(List.of(), List.of("https://example.com/authors/{id}")))) {
      a.publishOk("topic", "https://example.com/books/1", "data", "secret", "private", "on");
      a.publishOk("topic", "https://example.com/books/1", "data", "public");
      assertThat(authorizedOnC.nextData().data()).isEqualTo("secret");
      assertThat(authorizedOnC.nextData().data()).isEqualTo("public");
      assertThat(anonymousOnB.nextData().data()).isEqualTo("public");
      assertThat(otherGrantOnB.nextData().data()).isEqualTo("public");
    }
    // And in replay, on yet another node.
    try (SseStream replayAnonymous = a.subscribe(a.subscribeUri("https://example.com/books/1"),
            "Last-Event-ID", "earliest");
        SseStream replayAuthorized = a.subscribe(a.subscribeUri("https://example.com/books/1"),
            "Last-Event-ID", "earliest", "Authorization", "Bearer " + token)) {
      assertThat(replayAnonymous.nextData().data()).isEqualTo("public");
      assertThat(replayAuthorized.nextData().data()).isEqualTo("secret");
      assertThat(replayAuthorized.nextData().data()).isEqualTo("public");
    }
  }

  @Test
  void aSubscriberResumesWithLastEventIdOnAnyNode() throws Exception {
    for (int i = 1; i <= 5; i++) {
      a.publishOk("topic", "t", "id", "e" + i, "data", "d" + i);
    }
    b.publishOk("topic", "other", "id", "x");
    try (SseStream s = c.subscribe(c.subscribeUri("t"), "Last-Event-ID", "e3")) {
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue("e3");
      assertThat(s.nextData().id()).isEqualTo("e4");
      assertThat(s.nextData().id()).isEqualTo("e5");
      b.publishOk("topic", "t", "id", "e6");
      assertThat(s.nextData().id()).isEqualTo("e6");
    }
    try (SseStream s = b.subscribe(b.subscribeUri("t"), "Last-Event-ID", "pruned-or-unknown")) {
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue("earliest");
      assertThat(s.nextData().id()).isEqualTo("e1");
    }
  }

  @Test
  void resumingOnANodeThatLagsTheLogSendsNoDuplicates() throws Exception {
    b.transport.pauseReading(true); // b has dispatched nothing of what follows
    for (int i = 1; i <= 5; i++) {
      a.publishOk("topic", "t", "id", "e" + i);
    }
    try (SseStream s = b.subscribe(b.subscribeUri("t"), "Last-Event-ID", "e5")) {
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue("e5");
      b.transport.pauseReading(false);
      a.publishOk("topic", "t", "id", "e6");
      // e1..e5 reach b's fan-out late, but this subscriber had seen them: the next is e6.
      assertThat(s.nextData().id()).isEqualTo("e6");
    }
  }

  @Test
  void concurrentPublishersOnAllNodesEverySubscriberSeesTheSameOrder() throws Exception {
    List<SseStream> subs = new ArrayList<>();
    for (Node n : new Node[] {a, b, c}) {
      subs.add(n.subscribe(n.subscribeUri("t")));
      subs.add(n.subscribe(n.subscribeUri("t")));
    }
    int perNode = 150;
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> done = new ArrayList<>();
      Node[] nodes = {a, b, c};
      for (int w = 0; w < 6; w++) {
        Node n = nodes[w % 3];
        int worker = w;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perNode / 2; i++) {
            n.publishOk("topic", "t", "id", "w" + worker + "-" + i);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    int total = 3 * perNode;
    List<List<String>> seen = new ArrayList<>();
    for (SseStream s : subs) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        ids.add(s.nextData().id());
      }
      seen.add(ids);
      s.close();
    }
    assertThat(seen.get(0)).doesNotHaveDuplicates().hasSize(total);
    for (List<String> ids : seen) {
      assertThat(ids).isEqualTo(seen.get(0));
    }
    // Per publisher, the order it published in.
    for (int w = 0; w < 6; w++) {
      String prefix = "w" + w + "-";
      List<String> mine = seen.get(0).stream().filter(id -> id.startsWith(prefix)).toList();
      for (int i = 0; i < mine.size(); i++) {
        assertThat(mine.get(i)).isEqualTo(prefix + i);
      }
    }
  }

  @Test
  void aNodeBehindRetentionResetsItsSubscribersWhoComeBackWithEarliest() throws Exception {
    // Nodes sharing a small history.
    closeNodes();
    RedisOptions small = RedisOptions.of(redis.uri()).withKeyPrefix("small").withRetention(20, Duration.ZERO);
    a = new Node(small);
    b = new Node(small);
    String last;
    try (SseStream s = b.subscribe(b.subscribeUri("t"))) {
      a.publishOk("topic", "t", "id", "e1");
      assertThat(s.nextData().id()).isEqualTo("e1");
      b.transport.pauseReading(true);
      Thread.sleep(200); // let a read in flight finish (only makes the scenario cleaner)
      for (int i = 2; i <= 60; i++) {
        a.publishOk("topic", "t", "id", "e" + i);
      }
      b.transport.pauseReading(false);
      // The stream is ended (with a retry hint), never continued silently past the gap.
      List<String> after = new ArrayList<>();
      assertThat(s.awaitEnd(20)).isTrue();
      SseStream.Event e;
      while ((e = s.events.poll()) != null) {
        if (e.id() != null) {
          after.add(e.id());
        }
      }
      assertThat(after).allMatch(id -> Integer.parseInt(id.substring(1)) <= 20);
      last = after.isEmpty() ? "e1" : after.get(after.size() - 1);
    }
    // Its client reconnects with its Last-Event-ID, which is gone: earliest semantics.
    try (SseStream s = b.subscribe(b.subscribeUri("t"), "Last-Event-ID", last)) {
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue("earliest");
      for (int i = 41; i <= 60; i++) {
        assertThat(s.nextData().id()).isEqualTo("e" + i);
      }
      a.publishOk("topic", "t", "id", "e61");
      assertThat(s.nextData().id()).isEqualTo("e61");
    }
  }

  @Test
  void publishOutageAnswers503() throws Exception {
    redis.kill();
    HttpResponse<String> res = null;
    for (int i = 0; i < 50; i++) {
      res = a.publish("topic", "t", "data", "x");
      if (res.statusCode() == 503) {
        break;
      }
    }
    assertThat(res.statusCode()).isEqualTo(503);
    assertThat(res.body()).contains("Redis unavailable");
  }

  /** Closes the nodes a test started with, so it can start its own. */
  private void closeNodes() {
    for (Node n : new Node[] {a, b, c}) {
      if (n != null) {
        n.close();
      }
    }
    a = null;
    b = null;
    c = null;
  }

  /** With {@code --subscriptions}, the API of any node lists the subscriptions of every node. */
  @Test
  void anyNodeListsTheSubscriptionsOfEveryNode() throws Exception {
    closeNodes();
    RedisOptions options = RedisOptions.of(redis.uri()).withKeyPrefix("subscriptions");
    a = new Node(options, true);
    b = new Node(options, true);
    c = new Node(options, true);
    String apiToken = Node.token(List.of(), List.of(SUBSCRIPTIONS_API, SUBSCRIPTION_EVENTS));
    String aliceToken = new TokenIssuer(HubFixture.KEY, "HS256")
        .issue(List.of(), List.of(), "{\"user\":\"alice\",\"n\":[1,2]}", null);
    try (SseStream watcherOnA = a.subscribe(a.subscribeUri(SUBSCRIPTION_EVENTS), "Authorization", "Bearer " + apiToken);
        SseStream onB = b.subscribe(b.subscribeUri("https://example.com/on-b"), "Authorization", "Bearer " + aliceToken)) {
      SseStream onC = c.subscribe(c.subscribeUri("https://example.com/on-c"));

      // The watcher on A sees B's subscription event, delivered through Redis.
      Map<String, Object> opened = nextEventFor(watcherOnA, "https://example.com/on-b", true);
      assertThat(opened).containsEntry("active", true).containsEntry("payload", Map.of("user", "alice", "n", List.of(1L, 2L)));

      // A's API lists the subscriptions held by B and C (events are read asynchronously: poll).
      Map<String, Map<String, Object>> byTopic = awaitListed(a, apiToken, List.of("https://example.com/on-b", "https://example.com/on-c"));
      assertThat(byTopic.get("https://example.com/on-b"))
          .containsEntry("subscriber", opened.get("subscriber"))
          .containsEntry("payload", Map.of("user", "alice", "n", List.of(1L, 2L)));
      assertThat(byTopic.get("https://example.com/on-c")).containsEntry("payload", null);

      assertThat(onB.status()).isEqualTo(200);

      // One subscription by its ID, asked of a node that does not hold it.
      HttpResponse<String> one = get(c, (String) opened.get("id"), apiToken);
      assertThat(one.statusCode()).isEqualTo(200);
      assertThat(JSONObjectUtils.parse(one.body())).containsEntry("topic", "https://example.com/on-b");

      // C's subscriber leaves: A forgets it once C's inactive event arrives.
      onC.close();
      assertThat(nextEventFor(watcherOnA, "https://example.com/on-c", false)).containsEntry("active", false);
      long deadline = System.currentTimeMillis() + 10_000;
      while (topics(a, apiToken).contains("https://example.com/on-c") && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertThat(topics(a, apiToken)).contains("https://example.com/on-b").doesNotContain("https://example.com/on-c");
    }
  }

  private static Map<String, Map<String, Object>> awaitListed(Node n, String token, List<String> wanted) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      Map<String, Map<String, Object>> byTopic = new HashMap<>();
      for (Map<String, Object> s : list(n, token)) {
        byTopic.put((String) s.get("topic"), s);
      }
      if (byTopic.keySet().containsAll(wanted) || System.currentTimeMillis() > deadline) {
        assertThat(byTopic).containsKeys(wanted.toArray(new String[0]));
        return byTopic;
      }
      Thread.sleep(20);
    }
  }

  private static List<String> topics(Node n, String token) throws Exception {
    List<String> out = new ArrayList<>();
    for (Map<String, Object> s : list(n, token)) {
      out.add((String) s.get("topic"));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Node n, String token) throws Exception {
    HttpResponse<String> r = get(n, "/.well-known/mercure/subscriptions", token);
    assertThat(r.statusCode()).isEqualTo(200);
    return (List<Map<String, Object>>) JSONObjectUtils.parse(r.body()).get("subscriptions");
  }

  private static HttpResponse<String> get(Node n, String path, String token) throws Exception {
    URI base = URI.create(n.hubUrl());
    HttpRequest req = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token).build();
    return n.http.send(req, HttpResponse.BodyHandlers.ofString());
  }

  /** The next subscription event about {@code topic} with that {@code active} (events of several nodes interleave). */
  private static Map<String, Object> nextEventFor(SseStream watcher, String topic, boolean active) throws Exception {
    while (true) {
      Map<String, Object> event = JSONObjectUtils.parse(watcher.nextData().data());
      if (topic.equals(event.get("topic")) && Boolean.valueOf(active).equals(event.get("active"))) {
        return event;
      }
    }
  }
}
