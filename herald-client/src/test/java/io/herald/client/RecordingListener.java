package io.herald.client;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Records every callback, in order, for assertions on order and counts. */
final class RecordingListener implements EventSourceListener {
  /** Generous safety net for waits; tests never assert on durations. */
  static final Duration SAFETY = Duration.ofSeconds(20);

  final List<String> log = new CopyOnWriteArrayList<>();
  final List<Event> events = new CopyOnWriteArrayList<>();
  final List<EventSourceException> errors = new CopyOnWriteArrayList<>();
  final List<Duration> delays = new CopyOnWriteArrayList<>();
  final List<Integer> attempts = new CopyOnWriteArrayList<>();
  final List<HttpResponse<Void>> opens = new CopyOnWriteArrayList<>();
  volatile CloseReason closeReason;
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private final CountDownLatch opened = new CountDownLatch(1);

  @Override
  public void onOpen(EventSource source, HttpResponse<Void> response) {
    opens.add(response);
    log.add("open");
    opened.countDown();
  }

  @Override
  public void onEvent(EventSource source, Event event) {
    events.add(event);
    log.add("event " + event.data());
  }

  @Override
  public void onComment(EventSource source, String comment) {
    log.add("comment " + comment);
  }

  @Override
  public void onError(EventSource source, EventSourceException error) {
    errors.add(error);
    log.add("error " + error.kind());
  }

  @Override
  public void onReconnect(EventSource source, int attempt, Duration delay) {
    attempts.add(attempt);
    delays.add(delay);
    log.add("reconnect " + attempt);
  }

  @Override
  public void onClosed(EventSource source, CloseReason reason) {
    closeReason = reason;
    log.add("closed " + reason);
    closedLatch.countDown();
  }

  void awaitClosed() throws InterruptedException {
    if (!closedLatch.await(SAFETY.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("source did not close; log: " + log);
    }
  }

  void awaitOpen() throws InterruptedException {
    if (!opened.await(SAFETY.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("source did not open; log: " + log);
    }
  }

  void awaitEvents(int n) throws InterruptedException {
    long deadline = System.nanoTime() + SAFETY.toNanos();
    while (events.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + n + " events; log: " + log);
      }
      Thread.sleep(2);
    }
  }

  List<Long> delayMillis() {
    List<Long> out = new ArrayList<>();
    for (Duration d : delays) {
      out.add(d.toMillis());
    }
    return out;
  }

  /** Live threads whose name starts with {@code herald-sse-}. */
  static long heraldThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("herald-sse-"))
        .count();
  }
}
