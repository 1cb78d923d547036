package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reactive style: {@link EventSources.Builder#publisher()} honours demand. */
class EventPublisherTest {
  private TestSseServer server;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** Records signals and checks that onNext never exceeds what was requested. */
  private static final class Probe implements Flow.Subscriber<Event> {
    final List<String> signals = new CopyOnWriteArrayList<>();
    final AtomicLong requested = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final CountDownLatch terminated = new CountDownLatch(1);
    final long initial;
    final boolean requestOneMorePerItem;
    volatile Flow.Subscription subscription;
    volatile Throwable error;

    Probe(long initial, boolean requestOneMorePerItem) {
      this.initial = initial;
      this.requestOneMorePerItem = requestOneMorePerItem;
    }

    void request(long n) {
      requested.addAndGet(n);
      subscription.request(n);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      signals.add("subscribe");
      if (initial > 0) {
        request(initial);
      }
    }

    @Override
    public void onNext(Event item) {
      if (delivered.incrementAndGet() > requested.get()) {
        signals.add("OVERFLOW");
      }
      signals.add(item.data());
      if (requestOneMorePerItem) {
        request(1);
      }
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      signals.add("error");
      terminated.countDown();
    }

    @Override
    public void onComplete() {
      signals.add("complete");
      terminated.countDown();
    }

    void awaitTerminated() throws InterruptedException {
      assertThat(terminated.await(20, TimeUnit.SECONDS)).as("terminated: %s", signals).isTrue();
    }
  }

  private EventSources.Builder builder() {
    return EventSources.builder(server.uri("/events")).reconnectDelay(Duration.ofMillis(5)).jitter(0);
  }

  @Test
  void deliversInOrderOnDemandAndCompletesOnNoContent() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              if (x.number == 0) {
                x.startStream().send("data: 1\n\ndata: 2\n\ndata: 3\n\n");
              } else {
                x.noContent();
              }
            });
    Probe probe = new Probe(1, true);
    builder().publisher().subscribe(probe);
    probe.awaitTerminated();
    assertThat(probe.signals).containsExactly("subscribe", "1", "2", "3", "complete");
  }

  @Test
  void deliversNoMoreThanRequestedAndCancelClosesTheSource() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              x.startStream();
              for (int i = 0; i < 10; i++) {
                x.send("data: " + i + "\n\n");
              }
              x.holdUntilClientCloses();
            });
    long threadsBefore = RecordingListener.heraldThreads();
    Probe probe = new Probe(2, false);
    builder().publisher().subscribe(probe);
    long deadline = System.nanoTime() + RecordingListener.SAFETY.toNanos();
    while (probe.delivered.get() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    Thread.sleep(200); // give a demand-ignoring implementation every chance to overdeliver
    assertThat(probe.signals).containsExactly("subscribe", "0", "1");

    probe.request(3);
    deadline = System.nanoTime() + RecordingListener.SAFETY.toNanos();
    while (probe.delivered.get() < 5 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    probe.subscription.cancel();
    assertThat(probe.signals).containsExactly("subscribe", "0", "1", "2", "3", "4");
    assertThat(RecordingListener.heraldThreads()).isEqualTo(threadsBefore);
    assertThat(server.awaitNoOpenConnection(RecordingListener.SAFETY)).isTrue();
  }

  @Test
  void signalsTheFailureWhenTheSourceGivesUp() throws Exception {
    server = TestSseServer.start(x -> x.respond(401, "text/plain", "missing token"));
    Probe probe = new Probe(Long.MAX_VALUE, false);
    builder().publisher().subscribe(probe);
    probe.awaitTerminated();
    assertThat(probe.signals).containsExactly("subscribe", "error");
    assertThat(probe.error)
        .isInstanceOf(EventSourceException.class)
        .hasMessageContaining("401")
        .hasMessageContaining("missing token");
  }

  @Test
  void nonPositiveRequestIsAnError() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              x.startStream();
              x.holdUntilClientCloses();
            });
    Probe probe = new Probe(0, false);
    builder().publisher().subscribe(probe);
    probe.request(0);
    probe.awaitTerminated();
    assertThat(probe.error).isInstanceOf(IllegalArgumentException.class);
    assertThat(server.awaitNoOpenConnection(RecordingListener.SAFETY)).isTrue();
  }

  @Test
  void eachSubscriberGetsItsOwnConnection() throws Exception {
    server =
        TestSseServer.start(
            x -> {
              // Decided per request, not per connection number: the two sources race.
              if (x.request.header("Last-Event-ID") == null) {
                x.startStream().send("id: 1\ndata: hi\n\n");
              } else {
                x.noContent();
              }
            });
    Flow.Publisher<Event> publisher = builder().errorStrategy(ErrorStrategy.stop()).publisher();
    Probe a = new Probe(Long.MAX_VALUE, false);
    Probe b = new Probe(Long.MAX_VALUE, false);
    publisher.subscribe(a);
    publisher.subscribe(b);
    a.awaitTerminated();
    b.awaitTerminated();
    assertThat(a.signals).containsExactly("subscribe", "hi", "complete");
    assertThat(b.signals).containsExactly("subscribe", "hi", "complete");
    assertThat(server.connections()).isEqualTo(4);
  }
}
