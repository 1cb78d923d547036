package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pull style: a blocking, bounded {@link EventStream} over a real loopback server. */
class EventStreamTest {
  private TestSseServer server;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private EventSources.Builder builder() {
    return EventSources.builder(server.uri("/events"))
        .reconnectDelay(Duration.ofMillis(5))
        .jitter(0);
  }

  @Test
  void iteratesAcrossReconnectionsAndEndsAfterNoContent() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              switch (x.number) {
                case 0:
                  x.startStream().send("id: 1\ndata: a\n\nid: 2\ndata: b\n\n");
                  break;
                case 1:
                  x.startStream().send("id: 3\ndata: c\n\n");
                  break;
                default:
                  x.noContent();
              }
            });
    List<String> seen = new ArrayList<>();
    try (EventStream events = builder().stream(8)) {
      for (Event e : events) {
        seen.add(e.id() + ":" + e.data());
      }
      assertThat(events.source().state()).isEqualTo(EventSource.State.CLOSED);
      assertThatThrownBy(events::take).isInstanceOf(NoSuchElementException.class);
    }
    assertThat(seen).containsExactly("1:a", "2:b", "3:c");
    assertThat(server.requests().get(1).header("Last-Event-ID")).isEqualTo("2");
  }

  @Test
  void aFullBufferStopsReadingSoMemoryStaysBounded() throws Exception {
    int total = 3000;
    String payload = "x".repeat(4096);
    AtomicInteger written = new AtomicInteger();
    AtomicBoolean allWritten = new AtomicBoolean();
    server =
        TestSseServer.start(
            x -> {
              if (x.number > 0) {
                x.noContent();
                return;
              }
              x.startStream();
              for (int i = 0; i < total; i++) {
                x.send("id: " + i + "\ndata: " + payload + "\n\n");
                written.incrementAndGet();
              }
              allWritten.set(true);
            });
    try (EventStream events = builder().stream(4)) {
      long deadline = System.nanoTime() + RecordingListener.SAFETY.toNanos();
      while (events.buffered() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(300); // give an unbounded implementation every chance to overfill
      assertThat(events.buffered()).isEqualTo(4);
      // ~12 MB were to be sent; the server is stuck on full TCP buffers instead.
      assertThat(allWritten).isFalse();
      assertThat(written.get()).isLessThan(total);

      for (int i = 0; i < total; i++) {
        Event e = events.poll(RecordingListener.SAFETY);
        assertThat(e).isNotNull();
        assertThat(e.id()).isEqualTo(String.valueOf(i));
        assertThat(events.buffered()).isLessThanOrEqualTo(4);
      }
      assertThat(allWritten).isTrue();
    }
  }

  @Test
  void aSourceThatGivesUpFailsTheIteration() throws Exception {
    server = TestSseServer.start(x -> x.respond(403, "text/plain", "topic not allowed"));
    try (EventStream events = builder().stream(4)) {
      Iterator<Event> it = events.iterator();
      assertThatThrownBy(it::hasNext)
          .isInstanceOf(EventSourceException.class)
          .hasMessageContaining("403")
          .hasMessageContaining("topic not allowed");
    }
  }

  @Test
  void pollReturnsNullWhenNothingArrives() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              x.startStream();
              x.holdUntilClientCloses();
            });
    try (EventStream events = builder().stream(4)) {
      assertThat(events.poll(Duration.ofMillis(50))).isNull();
    }
  }

  @Test
  void closeFromAnotherThreadEndsABlockedConsumerAndFreesEverything() throws Exception {
    CountDownLatch streaming = new CountDownLatch(1);
    server =
        TestSseServer.start(
            x -> {
              x.startStream().send(": hi\n");
              streaming.countDown();
              x.holdUntilClientCloses();
            });
    long threadsBefore = RecordingListener.heraldThreads();
    EventStream events = builder().stream(4);
    CompletableFuture<Boolean> consumer =
        CompletableFuture.supplyAsync(() -> events.iterator().hasNext());
    assertThat(streaming.await(20, TimeUnit.SECONDS)).isTrue();
    events.close();
    assertThat(consumer.get(20, TimeUnit.SECONDS)).isFalse();
    assertThat(RecordingListener.heraldThreads()).isEqualTo(threadsBefore);
    assertThat(server.awaitNoOpenConnection(RecordingListener.SAFETY)).isTrue();
  }

  @Test
  void closeWhileTheSourceIsBlockedOnAFullBuffer() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              x.startStream();
              for (int i = 0; i < 100; i++) {
                x.send("data: " + i + "\n\n");
              }
              x.holdUntilClientCloses();
            });
    long threadsBefore = RecordingListener.heraldThreads();
    EventStream events = builder().stream(2);
    long deadline = System.nanoTime() + RecordingListener.SAFETY.toNanos();
    while (events.buffered() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    events.close();
    assertThat(RecordingListener.heraldThreads()).isEqualTo(threadsBefore);
    assertThat(server.awaitNoOpenConnection(RecordingListener.SAFETY)).isTrue();
  }
}
