package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.client.Event;
import io.herald.client.EventSource;
import io.herald.client.EventSourceListener;
import io.herald.client.EventStream;
import io.herald.client.HubClient;
import io.herald.client.HubException;
import io.herald.client.Publication;
import io.herald.hub.HubFixture;
import io.herald.hub.HubServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * End to end against a real Herald hub on loopback: publish with {@link HubClient}, receive with
 * the client's EventSource and with {@code herald subscribe}.
 */
class SubscribeEndToEndTest {
  static final Duration SAFETY = Duration.ofSeconds(20);

  private HubFixture fixture;
  private HubServer hub;
  private URI hubUrl;

  @BeforeEach
  void startHub() throws Exception {
    fixture = new HubFixture();
    hub = fixture.hub;
    hubUrl = URI.create(fixture.hubUrl());
  }

  @AfterEach
  void stopHub() {
    fixture.close();
  }

  private HubClient client(List<String> subscribe) {
    return HubClient.builder(hubUrl)
        .publisherToken(HubFixture.token(List.of("*"), List.of()))
        .subscriberToken(HubFixture.token(List.of(), subscribe))
        .build();
  }

  /** Records events; opens and closes are latches. */
  static final class Recorder implements EventSourceListener {
    final List<Event> events = new CopyOnWriteArrayList<>();
    final CountDownLatch opened = new CountDownLatch(1);
    volatile HttpHeaders openHeaders;

    @Override
    public void onOpen(EventSource source, HttpResponse<Void> response) {
      openHeaders = response.headers();
      opened.countDown();
    }

    @Override
    public void onEvent(EventSource source, Event event) {
      events.add(event);
    }

    void awaitEvents(int n) throws InterruptedException {
      long deadline = System.nanoTime() + SAFETY.toNanos();
      while (events.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(events).as("events received").hasSizeGreaterThanOrEqualTo(n);
    }
  }

  @Test
  void publishWithHubClientReceiveWithEventSourceThenResumeWithoutGapOrDuplicate()
      throws Exception {
    HubClient hubClient = client(List.of("https://example.com/books/{id}"));
    Recorder first = new Recorder();
    EventSource source =
        hubClient.subscribe("https://example.com/books/{id}").listener(first).connect();
    assertThat(first.opened.await(SAFETY.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    String id1 = hubClient.publish(Publication.builder("https://example.com/books/1").data("one").build());
    hubClient.publish(Publication.builder("https://example.com/authors/1").data("not for us").build());
    String id2 =
        hubClient.publish(
            Publication.builder("https://example.com/books/2")
                .data("two\nlines")
                .type("book")
                .privateUpdate(true)
                .build());
    String id3 =
        hubClient.publish(
            Publication.builder("https://example.com/other").topic("https://example.com/books/3")
                .data("alternate topic").id("custom-3").build());
    assertThat(id3).isEqualTo("custom-3");
    first.awaitEvents(3);
    source.close();

    assertThat(first.events)
        .extracting(Event::id, Event::type, Event::data)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(id1, "message", "one"),
            org.assertj.core.groups.Tuple.tuple(id2, "book", "two\nlines"),
            org.assertj.core.groups.Tuple.tuple(id3, "message", "alternate topic"));
    assertThat(source.lastEventId()).isEqualTo(id3);

    // While nobody listens, two more; a new source resuming from the last ID gets exactly those.
    String id4 = hubClient.publish(Publication.builder("https://example.com/books/4").data("four").build());
    String id5 = hubClient.publish(Publication.builder("https://example.com/books/5").data("five").build());
    Recorder second = new Recorder();
    EventSource resumed =
        hubClient
            .subscribe("https://example.com/books/{id}")
            .lastEventId(source.lastEventId())
            .listener(second)
            .connect();
    second.awaitEvents(2);
    String id6 = hubClient.publish(Publication.builder("https://example.com/books/6").data("six").build());
    second.awaitEvents(3);
    resumed.close();
    assertThat(second.events).extracting(Event::id).containsExactly(id4, id5, id6);
    assertThat(second.openHeaders.firstValue("Last-Event-ID")).hasValue(id3);
  }

  @Test
  void privateUpdatesNeedTheRightSubscriberToken() throws Exception {
    HubClient allowed = client(List.of("https://example.com/secret/{id}"));
    HubClient anonymousLike = client(List.of("https://example.com/public/{id}"));
    try (EventStream granted = allowed.subscribe("https://example.com/secret/{id}").stream(8);
        EventStream denied = anonymousLike.subscribe("https://example.com/secret/{id}").stream(8)) {
      awaitOpen(granted.source());
      awaitOpen(denied.source());
      allowed.publish(Publication.builder("https://example.com/secret/1").data("s").privateUpdate(true).build());
      allowed.publish(Publication.builder("https://example.com/secret/2").data("p").build());
      assertThat(granted.poll(SAFETY).data()).isEqualTo("s");
      assertThat(granted.poll(SAFETY).data()).isEqualTo("p");
      // The public one arrives; the private one published before it never did.
      assertThat(denied.poll(SAFETY).data()).isEqualTo("p");
    }
  }

  private static void awaitOpen(EventSource source) throws InterruptedException {
    long deadline = System.nanoTime() + SAFETY.toNanos();
    while (source.state() != EventSource.State.OPEN && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(source.state()).isEqualTo(EventSource.State.OPEN);
  }

  @Test
  void hubRefusalsAreTypedWithTheHubsReason() throws Exception {
    HubClient noRight =
        HubClient.builder(hubUrl).publisherToken(HubFixture.token(List.of("https://example.com/a"), List.of())).build();
    try {
      noRight.publish(Publication.builder("https://example.com/b").data("x").build());
      throw new AssertionError("expected a refusal");
    } catch (HubException.Forbidden e) {
      assertThat(e.status()).isEqualTo(403);
      assertThat(e.getMessage()).startsWith("hub answered 403");
    }
    try {
      HubClient.builder(hubUrl).publisherToken("garbage").build()
          .publish(Publication.builder("t").data("x").build());
      throw new AssertionError("expected a refusal");
    } catch (HubException.Unauthorized e) {
      assertThat(e.reason()).isNotEmpty();
    }
  }

  @Test
  void anUpdateOverTheHubsBodyLimitIsPayloadTooLargeWithTheLimitInTheReason() throws Exception {
    try (HubFixture small = new HubFixture(b -> b.maxBodyBytes(1024).ioThreads(1))) {
      HubClient client =
          HubClient.builder(URI.create(small.hubUrl()))
              .publisherToken(HubFixture.token(List.of("*"), List.of()))
              .build();
      try {
        client.publish(Publication.builder("t").data("x".repeat(10_000)).build());
        throw new AssertionError("expected 413");
      } catch (HubException.PayloadTooLarge e) {
        assertThat(e.status()).isEqualTo(413);
        assertThat(e.reason()).contains("1024");
      }
    }
  }

  @Test
  void subscriptionsApiListsTheActiveSubscription() throws Exception {
    try (HubFixture withApi = new HubFixture(b -> b.subscriptions(true).ioThreads(1))) {
      HubClient client =
          HubClient.builder(URI.create(withApi.hubUrl()))
              .subscriberToken(HubFixture.token(List.of(), List.of("*")))
              .build();
      String topic = "https://example.com/books/{id}";
      try (EventStream events = client.subscribe(topic).stream(4)) {
        awaitOpen(events.source());
        String all = client.subscriptions();
        assertThat(all).contains("\"type\":\"Subscriptions\"").contains("\"topic\":\"" + topic + "\"");
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("\"subscriber\":\"([^\"]+)\"").matcher(all);
        assertThat(m.find()).isTrue();
        String subscriber = m.group(1);
        assertThat(client.subscriptions(topic)).contains(subscriber);
        assertThat(client.subscriptions(topic, subscriber))
            .contains("\"type\":\"Subscription\"")
            .contains("\"active\":true");
      }
      HubClient anonymous =
          HubClient.builder(URI.create(withApi.hubUrl())).build();
      try {
        anonymous.subscriptions();
        throw new AssertionError("expected a refusal");
      } catch (HubException.Unauthorized e) {
        assertThat(e.status()).isEqualTo(401);
      }
    }
  }

  @Test
  void subscribeCommandPrintsJsonLinesFromTheHub() throws Exception {
    HubClient hubClient = client(List.of("*"));
    String early = hubClient.publish(Publication.builder("urn:t").data("before").id("e-1").build());

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new SubscribeCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int[] exit = {-1};
    Thread runner =
        new Thread(
            () ->
                exit[0] =
                    cli.execute("--hub", hubUrl.toString(), "--topic", "urn:t",
                        "--token", HubFixture.token(List.of(), List.of("*")),
                        "--last-event-id", "earliest", "--json"),
            "cli-subscribe");
    runner.start();
    awaitOutputLines(out, 1);
    hubClient.publish(
        Publication.builder("urn:t").data("live \"quoted\"\nsecond").type("note").retry(2500).id("e-2").build());
    awaitOutputLines(out, 2);
    runner.interrupt(); // how a test stops a command that would otherwise run forever
    runner.join(SAFETY.toMillis());
    assertThat(runner.isAlive()).isFalse();
    assertThat(exit[0]).isZero();
    assertThat(out.toString().split("\n"))
        .containsExactly(
            "{\"id\":\"" + early + "\",\"type\":\"message\",\"data\":\"before\"}",
            "{\"id\":\"e-2\",\"type\":\"note\",\"data\":\"live \\\"quoted\\\"\\nsecond\",\"retry\":2500}");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void subscribeCommandFailsOnceWithTheHubsReasonWhenTheTokenIsBad() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new SubscribeCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute("--hub", hubUrl.toString(), "--topic", "urn:t", "--token", "garbage");
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("401");
  }

  private static void awaitOutputLines(StringWriter out, int lines) throws InterruptedException {
    long deadline = System.nanoTime() + SAFETY.toNanos();
    while (out.toString().split("\n", -1).length <= lines && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(new ArrayList<>(List.of(out.toString().split("\n", -1)))).hasSizeGreaterThan(lines);
  }
}
