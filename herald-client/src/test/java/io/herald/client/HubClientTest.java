package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link HubClient}'s wire format and error mapping, against a real loopback server. */
class HubClientTest {
  private TestSseServer server;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private HubClient hub() {
    return HubClient.builder(server.uri("/.well-known/mercure"))
        .publisherToken("pub-jwt")
        .subscriberToken("sub-jwt")
        .build();
  }

  /** The form fields of a request body, decoded, in order. */
  private static List<String> form(String body) {
    List<String> fields = new ArrayList<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      fields.add(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8)
              + "="
              + URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return fields;
  }

  @Test
  void publishPostsTheFormAndReturnsTheId() throws Exception {
    server = TestSseServer.start(x -> x.respond(200, "text/plain", "urn:uuid:1234"));
    String id =
        hub()
            .publish(
                Publication.builder("https://example.com/books/1")
                    .topic("https://example.com/authors/2")
                    .data("line 1\nline 2 & more=yes")
                    .id("my-id")
                    .type("book")
                    .retry(1500)
                    .privateUpdate(true)
                    .build());
    assertThat(id).isEqualTo("urn:uuid:1234");
    TestSseServer.Request r = server.requests().get(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.target()).isEqualTo("/.well-known/mercure");
    assertThat(r.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
    assertThat(r.header("Authorization")).isEqualTo("Bearer pub-jwt");
    assertThat(form(r.body()))
        .containsExactly(
            "topic=https://example.com/books/1",
            "topic=https://example.com/authors/2",
            "data=line 1\nline 2 & more=yes",
            "id=my-id",
            "type=book",
            "retry=1500",
            "private=on");
  }

  @Test
  void publishWithAnExplicitTokenAndOnlyATopic() throws Exception {
    server = TestSseServer.start(x -> x.respond(200, "text/plain", "generated\n"));
    String id = hub().publish(Publication.builder("t").build(), "other-jwt");
    assertThat(id).isEqualTo("generated");
    TestSseServer.Request r = server.requests().get(0);
    assertThat(r.header("Authorization")).isEqualTo("Bearer other-jwt");
    assertThat(form(r.body())).containsExactly("topic=t");
  }

  @Test
  void refusalsBecomeTypedExceptionsCarryingTheHubsReason() throws Exception {
    int[] statuses = {400, 401, 403, 413, 503, 500};
    server =
        TestSseServer.start(
            x -> x.respond(statuses[x.number], "text/plain", "reason " + statuses[x.number] + "\n"));
    List<Class<?>> types =
        List.of(
            HubException.BadRequest.class,
            HubException.Unauthorized.class,
            HubException.Forbidden.class,
            HubException.PayloadTooLarge.class,
            HubException.Unavailable.class,
            HubException.class);
    for (int i = 0; i < statuses.length; i++) {
      int status = statuses[i];
      assertThatThrownBy(() -> hub().publish(Publication.builder("t").data("d").build()))
          .isExactlyInstanceOf(types.get(i))
          .hasMessage("hub answered " + status + ": reason " + status)
          .satisfies(
              e -> {
                HubException h = (HubException) e;
                assertThat(h.status()).isEqualTo(status);
                assertThat(h.reason()).isEqualTo("reason " + status);
              });
    }
  }

  @Test
  void unavailableCarriesRetryAfter() throws Exception {
    server = TestSseServer.start(x -> x.respondWithHeaders(503, "Retry-After: 7"));
    assertThatThrownBy(() -> hub().publish(Publication.builder("t").build()))
        .isInstanceOf(HubException.Unavailable.class)
        .satisfies(e -> assertThat(((HubException) e).retryAfter()).contains(Duration.ofSeconds(7)));
  }

  @Test
  void subscriptionsApiPathsAreEncodedAndAuthorized() throws Exception {
    server = TestSseServer.start(x -> x.respond(200, "application/ld+json", "{\"n\":" + x.number + "}"));
    HubClient hub = hub();
    assertThat(hub.subscriptions()).isEqualTo("{\"n\":0}");
    assertThat(hub.subscriptions("https://example.com/books/{id}")).isEqualTo("{\"n\":1}");
    assertThat(hub.subscriptions("https://example.com/a b", "urn:uuid:5")).isEqualTo("{\"n\":2}");
    List<TestSseServer.Request> r = server.requests();
    assertThat(r.get(0).target()).isEqualTo("/.well-known/mercure/subscriptions");
    assertThat(r.get(1).target())
        .isEqualTo("/.well-known/mercure/subscriptions/https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D");
    assertThat(r.get(2).target())
        .isEqualTo(
            "/.well-known/mercure/subscriptions/https%3A%2F%2Fexample.com%2Fa%20b/urn%3Auuid%3A5");
    assertThat(r).allSatisfy(req -> assertThat(req.header("Authorization")).isEqualTo("Bearer sub-jwt"));
  }

  @Test
  void subscriptionsApiRefusalIsTyped() throws Exception {
    server = TestSseServer.start(x -> x.respond(401, "text/plain", "no token"));
    assertThatThrownBy(() -> hub().subscriptions()).isInstanceOf(HubException.Unauthorized.class);
  }

  @Test
  void tokenSuppliersAreAskedPerRequest() throws Exception {
    server = TestSseServer.start(x -> x.respond(200, "text/plain", "id"));
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    HubClient hub =
        HubClient.builder(server.uri("/.well-known/mercure"))
            .publisherToken(() -> "pub-" + n.incrementAndGet())
            .subscriberToken(() -> "sub-" + n.incrementAndGet())
            .build();
    hub.publish(Publication.builder("t").build());
    hub.publish(Publication.builder("t").build());
    hub.subscriptions();
    assertThat(server.requests())
        .extracting(r -> r.header("Authorization"))
        .containsExactly("Bearer pub-1", "Bearer pub-2", "Bearer sub-3");
  }

  @Test
  void subscribeBuildsTheMercureRequest() throws Exception {
    server = TestSseServer.start(TestSseServer.Exchange::noContent);
    RecordingListener listener = new RecordingListener();
    hub().subscribe("https://example.com/books/{id}", "*").lastEventId("urn:uuid:9").connect(listener);
    listener.awaitClosed();
    TestSseServer.Request r = server.requests().get(0);
    assertThat(r.target())
        .isEqualTo(
            "/.well-known/mercure?topic=https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D&topic=%2A");
    assertThat(r.header("Authorization")).isEqualTo("Bearer sub-jwt");
    assertThat(r.header("Last-Event-ID")).isEqualTo("urn:uuid:9");
  }
}
