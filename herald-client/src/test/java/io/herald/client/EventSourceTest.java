package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The EventSource against a real HTTP server on loopback ({@link TestSseServer}): reconnection,
 * backoff, retry, timeouts, statuses, resource release. Delays are configured tiny; assertions
 * are on order, counts and the delays the source chose, never on measured time.
 */
class EventSourceTest {
  private TestSseServer server;

  /**
   * One throw-away connection first, so that the shared HTTP client's start-up (class loading,
   * selector thread) is not counted against the short read timeouts of some tests.
   */
  @BeforeAll
  static void warmUp() throws Exception {
    try (TestSseServer warm = TestSseServer.start(TestSseServer.Exchange::noContent)) {
      RecordingListener listener = new RecordingListener();
      EventSources.builder(warm.uri("/")).connect(listener);
      listener.awaitClosed();
    }
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** A builder with tiny delays and no jitter, so that delays are exact. */
  private EventSources.Builder builder(String path) {
    return EventSources.builder(server.uri(path))
        .reconnectDelay(Duration.ofMillis(10))
        .maxReconnectDelay(Duration.ofMillis(80))
        .jitter(0)
        .readTimeout(Duration.ofSeconds(20));
  }

  @Test
  void reconnectsWithLastEventIdAfterTheServerDropsTheConnection() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              switch (x.number) {
                case 0:
                  x.startStream().send("id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: partial\n");
                  break; // returning closes the connection, mid-event
                case 1:
                  x.startStream().send("data: c\n\n");
                  break;
                default:
                  x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    EventSource source = builder("/events").connect(listener);
    listener.awaitClosed();

    assertThat(listener.events)
        .extracting(Event::id, Event::data)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1", "a"),
            org.assertj.core.groups.Tuple.tuple("2", "b"),
            org.assertj.core.groups.Tuple.tuple("2", "c"));
    List<TestSseServer.Request> requests = server.requests();
    assertThat(requests).hasSize(3);
    assertThat(requests.get(0).header("Last-Event-ID")).isNull();
    // The incomplete event's id 3 was not committed.
    assertThat(requests.get(1).header("Last-Event-ID")).isEqualTo("2");
    assertThat(requests.get(2).header("Last-Event-ID")).isEqualTo("2");
    assertThat(listener.closeReason).isEqualTo(CloseReason.NO_CONTENT);
    assertThat(source.state()).isEqualTo(EventSource.State.CLOSED);
    assertThat(source.lastEventId()).isEqualTo("2");
    assertThat(listener.errors).isEmpty(); // an end of stream is not an error
  }

  @Test
  void sendsTheStandardHeadersCustomHeadersQueryAndInitialLastEventId() throws Exception {
    server = TestSseServer.start(TestSseServer.Exchange::noContent);
    RecordingListener listener = new RecordingListener();
    builder("/events?x=1")
        .header("X-Custom", "yes")
        .bearerToken("t0k3n")
        .queryParameter("topic", "https://example.com/books/{id}")
        .queryParameter("topic", "a b")
        .lastEventId("resume-here")
        .connect(listener);
    listener.awaitClosed();

    TestSseServer.Request r = server.requests().get(0);
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.target())
        .isEqualTo("/events?x=1&topic=https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D&topic=a%20b");
    assertThat(r.header("Accept")).isEqualTo("text/event-stream");
    assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(r.header("Authorization")).isEqualTo("Bearer t0k3n");
    assertThat(r.header("X-Custom")).isEqualTo("yes");
    assertThat(r.header("Last-Event-ID")).isEqualTo("resume-here");
  }

  @Test
  void nonAsciiLastEventIdIsSentAsUtf8InTheLastEventIdQueryParameter() throws Exception {
    // The JDK client writes HTTP/1.1 header values as US-ASCII ("€" would arrive as "?") and
    // refuses chars above U+00FF: the ID goes, exactly, as the query parameter Mercure defines
    // for clients that cannot set headers, percent-encoded UTF-8. The test server records the
    // request line and headers byte for byte (ISO-8859-1), so "?" would show.
    server =
        TestSseServer.start(
            x -> {
              if (x.number == 0) {
                x.startStream().send("id: €-1 é\ndata: a\n\n");
              } else if (x.number == 1) {
                x.startStream().send("id: ü-2\ndata: b\n\n");
              } else {
                x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    builder("/events?topic=t&lastEventID=stale").connect(listener);
    listener.awaitClosed();
    List<TestSseServer.Request> requests = server.requests();
    assertThat(requests).hasSize(3);
    assertThat(requests.get(1).target())
        .isEqualTo("/events?topic=t&lastEventID=%E2%82%AC-1%20%C3%A9");
    assertThat(requests.get(1).header("Last-Event-ID")).isNull();
    assertThat(requests.get(2).target()).isEqualTo("/events?topic=t&lastEventID=%C3%BC-2");
    assertThat(requests.get(2).header("Last-Event-ID")).isNull();
  }

  @Test
  void anAsciiLastEventIdAfterANonAsciiOneGoesInTheHeaderAgain() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              if (x.number == 0) {
                x.startStream().send("id: ü\ndata: a\n\n");
              } else if (x.number == 1) {
                x.startStream().send("id: plain\ndata: b\n\n");
              } else {
                x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    builder("/events?topic=t").connect(listener);
    listener.awaitClosed();
    List<TestSseServer.Request> requests = server.requests();
    assertThat(requests).hasSize(3);
    assertThat(requests.get(1).target()).isEqualTo("/events?topic=t&lastEventID=%C3%BC");
    assertThat(requests.get(2).target()).isEqualTo("/events?topic=t");
    assertThat(requests.get(2).header("Last-Event-ID")).isEqualTo("plain");
  }

  @Test
  void headersTheHttpClientWouldRefuseAreRejectedWhenConfigured() {
    assertThatThrownBy(() -> EventSources.builder(URI.create("http://x/")).header("Host", "y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Host");
    assertThatThrownBy(() -> EventSources.builder(URI.create("http://x/")).header("X-A", "a\nb"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventSources.builder(URI.create("ftp://x/")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aTokenSupplierIsAskedAgainAtEachConnection() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              if (x.number < 2) {
                x.startStream().send("data: " + x.number + "\n\n");
              } else {
                x.noContent();
              }
            });
    java.util.concurrent.atomic.AtomicInteger issued = new java.util.concurrent.atomic.AtomicInteger();
    RecordingListener listener = new RecordingListener();
    builder("/events").bearerToken(() -> "token-" + issued.incrementAndGet()).connect(listener);
    listener.awaitClosed();
    assertThat(server.requests())
        .extracting(r -> r.header("Authorization"))
        .containsExactly("Bearer token-1", "Bearer token-2", "Bearer token-3");
  }

  @Test
  void aFailingTokenSupplierClosesTheSourceWithItsError() throws Exception {
    server = TestSseServer.start(TestSseServer.Exchange::noContent);
    RecordingListener listener = new RecordingListener();
    EventSource source =
        builder("/events")
            .bearerToken(() -> {
              throw new IllegalStateException("vault unreachable");
            })
            .connect(listener);
    listener.awaitClosed();
    assertThat(listener.closeReason).isEqualTo(CloseReason.GAVE_UP);
    assertThat(source.failure().orElseThrow().getMessage()).contains("vault unreachable");
    assertThat(server.connections()).isZero();
  }

  @Test
  void backoffGrowsAndIsCappedThenTheStrategyGivesUp() throws Exception {
    server = TestSseServer.start(x -> x.respond(503, "text/plain", "hub overloaded\n"));
    RecordingListener listener = new RecordingListener();
    EventSource source =
        builder("/events").errorStrategy(ErrorStrategy.giveUpAfterAttempts(7)).connect(listener);
    listener.awaitClosed();

    assertThat(listener.attempts).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(listener.delayMillis()).containsExactly(10L, 20L, 40L, 80L, 80L, 80L);
    assertThat(server.connections()).isEqualTo(7);
    assertThat(listener.errors).hasSize(7);
    EventSourceException last = listener.errors.get(6);
    assertThat(last.kind()).isEqualTo(EventSourceException.Kind.HTTP_STATUS);
    assertThat(last.status()).contains(503);
    assertThat(last.isRetryable()).isTrue();
    assertThat(last.reason()).contains("hub overloaded");
    assertThat(last.getMessage()).contains("503").contains("hub overloaded");
    assertThat(listener.closeReason).isEqualTo(CloseReason.GAVE_UP);
    assertThat(source.failure()).contains(last);
  }

  @Test
  void retryAfterOnAnErrorResponseIsAFloorForTheDelay() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              if (x.number == 0) {
                x.respondWithHeaders(503, "Retry-After: 1", "Content-Type: text/plain");
              } else {
                x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    builder("/events").connect(listener);
    listener.awaitClosed();
    // The backoff alone would say 10 ms; the draining server asked for a second.
    assertThat(listener.delayMillis()).containsExactly(1000L);
    assertThat(listener.closeReason).isEqualTo(CloseReason.NO_CONTENT);
  }

  @Test
  void jitterOnlyShortensDelays() throws Exception {
    server = TestSseServer.start(x -> x.respond(503, "text/plain", "busy"));
    RecordingListener listener = new RecordingListener();
    builder("/events")
        .jitter(0.5)
        .errorStrategy(ErrorStrategy.giveUpAfterAttempts(6))
        .connect(listener);
    listener.awaitClosed();
    long[] nominal = {10, 20, 40, 80, 80};
    for (int i = 0; i < nominal.length; i++) {
      assertThat(listener.delays.get(i).toMillis()).isBetween(nominal[i] / 2, nominal[i]);
    }
  }

  @Test
  void honoursTheServersRetryAndGrowsFromIt() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              switch (x.number) {
                case 0:
                  x.startStream().send("retry: 30\ndata: x\n\n");
                  break;
                case 1:
                  x.startStream();
                  break; // ends at once: an unstable connection
                default:
                  x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    builder("/events").reconnectDelay(Duration.ofHours(1)).connect(listener);
    listener.awaitClosed();

    assertThat(listener.events).hasSize(1);
    assertThat(listener.events.get(0).retry()).isEqualTo(30);
    // Without honouring retry the first delay would be an hour (and the test would time out).
    assertThat(listener.delayMillis()).containsExactly(30L, 60L);
  }

  @Test
  void aServerRetryAboveTheMaximumIsStillHonoured() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              if (x.number == 0) {
                x.startStream().send("retry: 150\n\n");
              } else {
                x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    builder("/events").maxReconnectDelay(Duration.ofMillis(50)).connect(listener);
    listener.awaitClosed();
    assertThat(listener.delayMillis()).containsExactly(150L);
  }

  @Test
  void backoffStartsAgainAfterAStableConnection() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              switch (x.number) {
                case 0:
                case 1:
                  x.startStream();
                  break; // unstable: ends at once
                case 2:
                  x.startStream().send("data: stable\n\n");
                  Thread.sleep(1000); // well past the 250 ms stable period
                  break;
                case 3:
                  x.startStream();
                  break;
                default:
                  x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    // 250 ms: far longer than a connection that ends at once takes, even on a loaded machine.
    builder("/events").stablePeriod(Duration.ofMillis(250)).connect(listener);
    listener.awaitClosed();
    // Connections 0 and 1 end at once (attempts 1, 2); 2 was stable, so 3 starts again at 1.
    assertThat(listener.attempts).containsExactly(1, 2, 1, 2);
    assertThat(listener.delayMillis()).containsExactly(10L, 20L, 10L, 20L);
  }

  @Test
  void readTimeoutReplacesASilentConnection() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              if (x.number == 0) {
                x.startStream().send(": hello\n\ndata: before silence\n\n");
                x.holdUntilClientCloses();
              } else {
                x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    builder("/events").readTimeout(Duration.ofMillis(500)).connect(listener);
    listener.awaitClosed();

    assertThat(listener.log)
        .containsExactly(
            "open",
            "comment hello",
            "event before silence",
            "error READ_TIMEOUT",
            "reconnect 1",
            "closed NO_CONTENT");
    assertThat(listener.errors.get(0).isRetryable()).isTrue();
    assertThat(server.awaitNoOpenConnection(RecordingListener.SAFETY)).isTrue();
  }

  @Test
  void heartbeatsKeepAQuietConnectionAlive() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    server =
        TestSseServer.start(
            x -> {
              if (x.number == 0) {
                x.startStream();
                for (int i = 0; i < 6; i++) {
                  Thread.sleep(200); // each gap is far below the 1 s read timeout; 6 exceed it
                  x.send(":\n");
                }
                x.send("data: done\n\n");
                done.await();
              } else {
                x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    EventSource source = builder("/events").readTimeout(Duration.ofSeconds(1)).connect(listener);
    listener.awaitEvents(1);
    source.close();
    done.countDown();
    listener.awaitClosed();
    assertThat(listener.errors).isEmpty();
    assertThat(listener.log).filteredOn(s -> s.startsWith("comment")).hasSize(6);
  }

  @Test
  void noContentStopsForGood() throws Exception {
    server = TestSseServer.start(TestSseServer.Exchange::noContent);
    RecordingListener listener = new RecordingListener();
    EventSource source = builder("/events").connect(listener);
    listener.awaitClosed();
    assertThat(listener.log).containsExactly("closed NO_CONTENT");
    assertThat(server.connections()).isEqualTo(1);
    assertThat(source.state()).isEqualTo(EventSource.State.CLOSED);
    assertThat(source.failure()).isEmpty();
  }

  @Test
  void serverErrorIsRetryableAndGoesToTheErrorStrategy() throws Exception {
    server = TestSseServer.start(x -> x.respond(500, "text/plain", "database on fire\nstack..."));
    List<String> decisions = new CopyOnWriteArrayList<>();
    RecordingListener listener = new RecordingListener();
    builder("/events")
        .errorStrategy(
            (error, attempt, since) -> {
              decisions.add(error.kind() + " " + error.status().orElse(-1) + " "
                  + error.isRetryable() + " " + attempt);
              return attempt < 3;
            })
        .connect(listener);
    listener.awaitClosed();
    assertThat(decisions)
        .containsExactly("HTTP_STATUS 500 true 1", "HTTP_STATUS 500 true 2", "HTTP_STATUS 500 true 3");
    assertThat(listener.errors.get(0).reason()).contains("database on fire");
    assertThat(listener.closeReason).isEqualTo(CloseReason.GAVE_UP);
  }

  @Test
  void wrongContentTypeIsFatalByDefault() throws Exception {
    server = TestSseServer.start(x -> x.respond(200, "application/json", "{}"));
    RecordingListener listener = new RecordingListener();
    EventSource source = builder("/events").connect(listener);
    listener.awaitClosed();
    assertThat(listener.log).containsExactly("error CONTENT_TYPE", "closed GAVE_UP");
    EventSourceException error = source.failure().orElseThrow();
    assertThat(error.isRetryable()).isFalse();
    assertThat(error.getMessage()).contains("application/json");
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void contentTypeParametersAndCaseAreAccepted() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              if (x.number == 0) {
                x.startStream("Text/Event-Stream; charset=utf-8").send("data: ok\n\n");
              } else {
                x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    builder("/events").connect(listener);
    listener.awaitClosed();
    assertThat(listener.events).extracting(Event::data).containsExactly("ok");
  }

  @Test
  void fatalStatusCanBeRetriedByAStrategyThatSaysSo() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              if (x.number < 2) {
                x.respond(401, "text/plain", "token expired");
              } else {
                x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    builder("/events").errorStrategy(ErrorStrategy.retryForever()).connect(listener);
    listener.awaitClosed();
    assertThat(listener.errors).hasSize(2).allSatisfy(e -> assertThat(e.isRetryable()).isFalse());
    assertThat(listener.closeReason).isEqualTo(CloseReason.NO_CONTENT);
  }

  @Test
  void stopStrategyClosesAtTheFirstNetworkError() throws Exception {
    server = TestSseServer.start(x -> x.noContent());
    URI unreachable = server.uri("/events");
    server.close(); // nothing listens there any more
    RecordingListener listener = new RecordingListener();
    EventSources.builder(unreachable).errorStrategy(ErrorStrategy.stop()).connect(listener);
    listener.awaitClosed();
    assertThat(listener.log).containsExactly("error NETWORK", "closed GAVE_UP");
    assertThat(listener.errors.get(0).isRetryable()).isTrue();
  }

  @Test
  void giveUpAfterTimeCountsFromTheFirstFailure() throws Exception {
    server = TestSseServer.start(x -> x.respond(502, "text/plain", "bad gateway"));
    RecordingListener listener = new RecordingListener();
    builder("/events").errorStrategy(ErrorStrategy.giveUpAfter(Duration.ZERO)).connect(listener);
    listener.awaitClosed();
    assertThat(listener.log).containsExactly("error HTTP_STATUS", "closed GAVE_UP");
  }

  @Test
  void oversizedEventFailsTheConnectionClearly() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              x.startStream().send("data: small\n\n").send("data: " + "x".repeat(5000) + "\n\n");
              x.holdUntilClientCloses();
            });
    RecordingListener listener = new RecordingListener();
    EventSource source = builder("/events").maxLineBytes(1024).connect(listener);
    listener.awaitClosed();
    assertThat(listener.log).containsExactly("open", "event small", "error TOO_LARGE", "closed GAVE_UP");
    assertThat(source.failure().orElseThrow().getMessage()).contains("larger than 1024 bytes");
    assertThat(server.awaitNoOpenConnection(RecordingListener.SAFETY)).isTrue();
  }

  @Test
  void followsRedirects() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              if (x.request.target().equals("/old")) {
                x.respondWithHeaders(307, "Location: /new");
              } else if (x.number == 1) {
                x.startStream().send("data: moved\n\n");
              } else {
                x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    builder("/old").connect(listener);
    listener.awaitClosed();
    assertThat(listener.events).extracting(Event::data).containsExactly("moved");
    assertThat(listener.opens.get(0).uri().getPath()).isEqualTo("/new");
    assertThat(listener.opens.get(0).version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
  }

  @Test
  void dispatchesPerTypeAndToCatchAllListeners() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              if (x.number == 0) {
                x.startStream().send("data: m\n\nevent: price\ndata: 42\n\nevent: other\ndata: o\n\n");
              } else {
                x.noContent();
              }
            });
    List<String> prices = new CopyOnWriteArrayList<>();
    List<String> messages = new CopyOnWriteArrayList<>();
    RecordingListener all = new RecordingListener();
    builder("/events")
        .on("price", e -> prices.add(e.data()))
        .on("message", e -> messages.add(e.data()))
        .listener(all)
        .connect();
    all.awaitClosed();
    assertThat(prices).containsExactly("42");
    assertThat(messages).containsExactly("m");
    assertThat(all.events).extracting(Event::data).containsExactly("m", "42", "o");
  }

  @Test
  void aThrowingListenerDoesNotStopTheSource() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              if (x.number == 0) {
                x.startStream().send("data: 1\n\ndata: 2\n\n");
              } else {
                x.noContent();
              }
            });
    RecordingListener listener = new RecordingListener();
    builder("/events")
        .on("message", e -> {
          throw new IllegalStateException("boom");
        })
        .listener(listener)
        .connect();
    listener.awaitClosed();
    assertThat(listener.events).hasSize(2);
  }

  @Test
  void closeReleasesTheConnectionAndTheThreadAtOnce() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              x.startStream().send("data: hello\n\n");
              x.holdUntilClientCloses();
            });
    long threadsBefore = RecordingListener.heraldThreads();
    RecordingListener listener = new RecordingListener();
    EventSource source = builder("/events").connect(listener);
    listener.awaitEvents(1);
    assertThat(server.openConnections()).isEqualTo(1);
    assertThat(RecordingListener.heraldThreads()).isEqualTo(threadsBefore + 1);

    source.close();

    // close() returns after the thread ended and onClosed was delivered.
    assertThat(RecordingListener.heraldThreads()).isEqualTo(threadsBefore);
    assertThat(listener.closeReason).isEqualTo(CloseReason.CLOSED_BY_CLIENT);
    assertThat(source.state()).isEqualTo(EventSource.State.CLOSED);
    assertThat(server.awaitNoOpenConnection(RecordingListener.SAFETY)).isTrue();
    assertThat(server.connections()).isEqualTo(1); // and it did not reconnect
    source.close(); // idempotent
  }

  @Test
  void closeDuringTheBackoffWaitEndsTheThread() throws Exception {
    server = TestSseServer.start(x -> x.respond(503, "text/plain", "later"));
    long threadsBefore = RecordingListener.heraldThreads();
    RecordingListener listener = new RecordingListener();
    EventSource source =
        builder("/events").reconnectDelay(Duration.ofHours(1)).maxReconnectDelay(Duration.ofHours(1))
            .connect(listener);
    while (listener.delays.isEmpty()) {
      Thread.sleep(2);
    }
    source.close();
    assertThat(RecordingListener.heraldThreads()).isEqualTo(threadsBefore);
    assertThat(listener.closeReason).isEqualTo(CloseReason.CLOSED_BY_CLIENT);
  }

  @Test
  void closeWhileWaitingForResponseHeadersEndsTheThread() throws Exception {
    CountDownLatch requested = new CountDownLatch(1);
    server =
        TestSseServer.start(
            x -> {
              requested.countDown();
              x.holdUntilClientCloses(); // never answers
            });
    long threadsBefore = RecordingListener.heraldThreads();
    RecordingListener listener = new RecordingListener();
    EventSource source = builder("/events").connect(listener);
    assertThat(requested.await(20, TimeUnit.SECONDS)).isTrue();
    source.close();
    assertThat(RecordingListener.heraldThreads()).isEqualTo(threadsBefore);
    assertThat(listener.log).containsExactly("closed CLOSED_BY_CLIENT");
    assertThat(server.awaitNoOpenConnection(RecordingListener.SAFETY)).isTrue();
  }

  @Test
  void closeFromInsideAListener() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              x.startStream().send("data: 1\n\ndata: 2\n\ndata: 3\n\n");
              x.holdUntilClientCloses();
            });
    RecordingListener listener = new RecordingListener();
    builder("/events")
        .on("message", e -> {
          if (e.data().equals("1")) {
            throw new CloseFromListener();
          }
        })
        .listener(
            new EventSourceListener() {
              @Override
              public void onEvent(EventSource source, Event event) {
                if (event.data().equals("2")) {
                  source.close();
                }
              }
            })
        .listener(listener)
        .connect();
    listener.awaitClosed();
    // The listener registered after the one that closed sees no further event.
    assertThat(listener.log).containsExactly("open", "event 1", "closed CLOSED_BY_CLIENT");
    assertThat(server.awaitNoOpenConnection(RecordingListener.SAFETY)).isTrue();
  }

  private static final class CloseFromListener extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }
}
