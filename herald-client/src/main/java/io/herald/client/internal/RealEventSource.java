package io.herald.client.internal;

import io.herald.client.CloseReason;
import io.herald.client.Event;
import io.herald.client.EventSource;
import io.herald.client.EventSourceException;
import io.herald.client.EventSourceException.Kind;
import io.herald.client.EventSourceListener;
import io.herald.core.sse.SseEvent;
import io.herald.core.sse.SseHandler;
import io.herald.core.sse.SseLimitExceededException;
import io.herald.core.sse.SseParser;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The event source: one thread that connects, reads, dispatches and waits between attempts.
 *
 * <p>Everything that touches the parser or calls listeners runs on that thread; other threads
 * only read volatile state and call {@link #close()}, which wakes the thread wherever it waits
 * (response headers, body, backoff) without interrupting it, so a listener is never interrupted
 * half-way.
 */
public final class RealEventSource implements EventSource {
  private static final System.Logger LOG = System.getLogger(RealEventSource.class.getName());
  private static final AtomicInteger THREAD_NUMBERS = new AtomicInteger();
  /** How long to wait for an error response's body, to report the server's reason. */
  private static final Duration REASON_WAIT = Duration.ofSeconds(2);
  private static final int REASON_MAX_BYTES = 1024;
  private static final int REASON_MAX_CHARS = 200;
  /** Mercure's query parameter for the last event ID, for clients that cannot send the header. */
  private static final String LAST_EVENT_ID_PARAMETER = "lastEventID";

  private final EventSourceConfig config;
  private final SseParser parser;
  private final Backoff backoff;
  private final Thread thread;
  private final CountDownLatch closeSignal = new CountDownLatch(1);

  private volatile boolean closeRequested;
  private volatile State state = State.CONNECTING;
  private volatile String lastEventId;
  private volatile EventSourceException failure;
  private volatile BodyQueue currentBody;
  private volatile CompletableFuture<?> pendingResponse;
  /** The server's latest {@code retry}, or -1. Reader thread only. */
  private long serverRetryMillis = -1;

  private RealEventSource(EventSourceConfig config) {
    this.config = config;
    this.parser = new SseParser(new Dispatcher(), config.maxLineBytes(), config.maxEventBytes());
    this.parser.lastEventId(config.lastEventId());
    this.lastEventId = config.lastEventId();
    this.backoff =
        new Backoff(
            config.reconnectDelay(), config.maxReconnectDelay(), config.backoffMultiplier(),
            config.jitter());
    this.thread = new Thread(this::run, "herald-sse-" + THREAD_NUMBERS.incrementAndGet());
    this.thread.setDaemon(true);
  }

  /** Creates the source and starts its thread. */
  public static RealEventSource start(EventSourceConfig config) {
    RealEventSource source = new RealEventSource(config);
    source.thread.start();
    return source;
  }

  @Override
  public URI uri() {
    return config.uri();
  }

  @Override
  public State state() {
    return state;
  }

  @Override
  public String lastEventId() {
    return lastEventId;
  }

  @Override
  public Optional<EventSourceException> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public void close() {
    closeRequested = true;
    closeSignal.countDown();
    BodyQueue body = currentBody;
    if (body != null) {
      body.cancel();
    }
    CompletableFuture<?> pending = pendingResponse;
    if (pending != null) {
      pending.cancel(true);
    }
    if (Thread.currentThread() == thread) {
      return; // called by a listener: the loop ends when it returns
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(1));
      if (thread.isAlive()) {
        // A listener is blocked somewhere: interrupt it as a last resort.
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "EventSource[" + config.uri() + ", " + state + "]";
  }

  // ---- the reader thread ----

  /**
   * What one connection came to; {@code retryAfter} is the response's {@code Retry-After}, or
   * zero.
   */
  private record Outcome(
      Result result, EventSourceException failure, boolean stable, Duration retryAfter) {
    Outcome(Result result, EventSourceException failure, boolean stable) {
      this(result, failure, stable, Duration.ZERO);
    }

    enum Result {
      CLOSED,
      NO_CONTENT,
      ENDED,
      FAILED
    }
  }

  private void run() {
    CloseReason reason = CloseReason.CLOSED_BY_CLIENT;
    int attempt = 0;
    long firstFailureNanos = 0;
    try {
      while (!closeRequested) {
        Outcome outcome = connectOnce();
        if (closeRequested || outcome.result() == Outcome.Result.CLOSED) {
          break;
        }
        if (outcome.result() == Outcome.Result.NO_CONTENT) {
          reason = CloseReason.NO_CONTENT;
          break;
        }
        attempt = outcome.stable() ? 1 : attempt + 1;
        if (attempt == 1) {
          firstFailureNanos = System.nanoTime();
        }
        EventSourceException error = outcome.failure();
        if (error != null) {
          notifyListeners(l -> l.onError(this, error));
          if (closeRequested) {
            break;
          }
          if (!shouldRetry(error, attempt, Duration.ofNanos(System.nanoTime() - firstFailureNanos))) {
            failure = error;
            reason = CloseReason.GAVE_UP;
            break;
          }
        }
        state = State.CONNECTING;
        Duration backoffDelay = backoff.delay(attempt, serverRetryMillis);
        // A Retry-After (e.g. a draining hub's 503) is a floor: never come back sooner.
        Duration delay =
            outcome.retryAfter().compareTo(backoffDelay) > 0 ? outcome.retryAfter() : backoffDelay;
        int attemptNumber = attempt;
        notifyListeners(l -> l.onReconnect(this, attemptNumber, delay));
        if (closeSignal.await(delay.toNanos(), TimeUnit.NANOSECONDS)) {
          break;
        }
      }
    } catch (InterruptedException e) {
      // Only close() interrupts this thread, and only when a listener would not return.
    } catch (RuntimeException e) {
      // A bug or an unusable setting (e.g. a header the HTTP client refuses): fail loudly.
      EventSourceException error =
          new EventSourceException(Kind.NETWORK, config.uri(), -1, null, false, e);
      failure = error;
      reason = CloseReason.GAVE_UP;
      notifyListeners(l -> l.onError(this, error));
    } finally {
      state = State.CLOSED;
      CloseReason finalReason = reason;
      notifyListeners(l -> l.onClosed(this, finalReason), true);
    }
  }

  private boolean shouldRetry(EventSourceException error, int attempt, Duration since) {
    try {
      return config.errorStrategy().shouldRetry(error, attempt, since);
    } catch (RuntimeException e) {
      logUserCodeFailure("error strategy failed; giving up", e);
      return false;
    }
  }

  private Outcome connectOnce() throws InterruptedException {
    state = State.CONNECTING;
    BodyQueue body = new BodyQueue();
    currentBody = body;
    try {
      if (closeRequested) {
        return closed();
      }
      CompletableFuture<HttpResponse<Void>> future =
          config.httpClient().sendAsync(request(), info -> body);
      pendingResponse = future;
      if (closeRequested) {
        future.cancel(true);
      }
      HttpResponse<Void> response;
      try {
        // The read timeout also bounds the wait for the headers: a server that accepts the
        // connection and then says nothing is as dead as one that stops mid-stream.
        response =
            config.readTimeout().isZero()
                ? future.get()
                : future.get(config.readTimeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (CancellationException e) {
        return closed();
      } catch (TimeoutException e) {
        future.cancel(true);
        return failed(
            new EventSourceException(Kind.READ_TIMEOUT, config.uri(), -1, null, true, null), false);
      } catch (ExecutionException e) {
        return failed(networkFailure(e.getCause()), false);
      } finally {
        pendingResponse = null;
      }
      return handle(response, body);
    } finally {
      body.cancel();
      currentBody = null;
      parser.endOfStream();
      lastEventId = parser.lastEventId();
    }
  }

  private Outcome handle(HttpResponse<Void> response, BodyQueue body) throws InterruptedException {
    int status = response.statusCode();
    if (status == 204) {
      return new Outcome(Outcome.Result.NO_CONTENT, null, false);
    }
    if (status != 200) {
      String reason = readReason(body);
      return new Outcome(
          Outcome.Result.FAILED,
          new EventSourceException(
              Kind.HTTP_STATUS, config.uri(), status, reason, Statuses.isRetryable(status), null),
          false,
          RetryAfter.from(response.headers()).orElse(Duration.ZERO));
    }
    Optional<String> contentType = response.headers().firstValue("Content-Type");
    if (!contentType.map(Statuses::isEventStream).orElse(false)) {
      return failed(
          new EventSourceException(
              Kind.CONTENT_TYPE, config.uri(), status, contentType.orElse(null), false, null),
          false);
    }
    state = State.OPEN;
    long openedAt = System.nanoTime();
    notifyListeners(l -> l.onOpen(this, response));
    return read(body, openedAt);
  }

  private Outcome read(BodyQueue body, long openedAt) throws InterruptedException {
    while (!closeRequested) {
      BodyQueue.Item item = body.next(config.readTimeout());
      boolean stable = System.nanoTime() - openedAt >= config.stablePeriod().toNanos();
      if (!(item instanceof BodyQueue.Chunk chunk)) {
        return ended(item, stable);
      }
      try {
        for (ByteBuffer buffer : chunk.buffers()) {
          parser.feed(buffer);
        }
      } catch (SseLimitExceededException e) {
        return failed(
            new EventSourceException(Kind.TOO_LARGE, config.uri(), 200, null, false, e), stable);
      }
      lastEventId = parser.lastEventId();
      body.requestMore();
    }
    return closed();
  }

  /** What a connection came to when its body gave {@code item}, anything but a chunk. */
  private Outcome ended(BodyQueue.Item item, boolean stable) {
    if (item instanceof BodyQueue.TimedOut) {
      return failed(
          new EventSourceException(Kind.READ_TIMEOUT, config.uri(), -1, null, true, null), stable);
    }
    if (item instanceof BodyQueue.Failed failed) {
      return failed(networkFailure(failed.error()), stable);
    }
    if (item instanceof BodyQueue.End) {
      return new Outcome(Outcome.Result.ENDED, null, stable);
    }
    return closed(); // BodyQueue.Cancelled, the one kind left
  }

  private HttpRequest request() {
    String id = parser.lastEventId();
    // The JDK client writes HTTP/1.1 header values as US-ASCII (anything else becomes "?") and
    // refuses chars above U+00FF; only its HTTP/2 encoder writes ISO-8859-1, and the version is
    // not known before connecting. A corrupted ID would make the server replay from the wrong
    // place, so an ID that is not printable ASCII goes as Mercure's lastEventID query parameter
    // instead, percent-encoded UTF-8: exactly its bytes, whatever the HTTP version.
    boolean idInHeader = id.isEmpty() || Headers.isAsciiValue(id);
    URI uri = idInHeader ? config.uri() : Urls.withReplacedQuery(config.uri(), LAST_EVENT_ID_PARAMETER, id);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .GET()
            .header("Accept", "text/event-stream")
            .header("Cache-Control", "no-cache");
    if ("http".equalsIgnoreCase(config.uri().getScheme())) {
      // No h2c upgrade dance on cleartext: HTTP/2 is negotiated over TLS only.
      b.version(HttpClient.Version.HTTP_1_1);
    }
    config.headers().forEach((name, values) -> values.forEach(v -> b.header(name, v)));
    if (config.bearerTokens() != null) {
      b.setHeader("Authorization", "Bearer " + config.bearerTokens().get());
    }
    if (!id.isEmpty() && idInHeader) {
      b.setHeader("Last-Event-ID", id);
    }
    return b.build();
  }

  private EventSourceException networkFailure(Throwable cause) {
    if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
      return new EventSourceException(Kind.READ_TIMEOUT, config.uri(), -1, null, true, cause);
    }
    return new EventSourceException(Kind.NETWORK, config.uri(), -1, null, true, cause);
  }

  /** The first line of an error body: a Herald hub explains errors there, in plain text. */
  private String readReason(BodyQueue body) throws InterruptedException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + REASON_WAIT.toNanos();
    while (bytes.size() < REASON_MAX_BYTES) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      if (!(body.next(Duration.ofNanos(left)) instanceof BodyQueue.Chunk chunk)) {
        break; // the end, a failure or the wait is over: the reason is what came so far
      }
      for (ByteBuffer buffer : chunk.buffers()) {
        byte[] part = new byte[Math.min(buffer.remaining(), REASON_MAX_BYTES - bytes.size())];
        buffer.get(part);
        bytes.writeBytes(part);
      }
      body.requestMore();
    }
    String text = bytes.toString(StandardCharsets.UTF_8).strip();
    int lineEnd = text.indexOf('\n');
    if (lineEnd >= 0) {
      text = text.substring(0, lineEnd).strip();
    }
    if (text.length() > REASON_MAX_CHARS) {
      text = text.substring(0, REASON_MAX_CHARS) + "...";
    }
    return text.isEmpty() ? null : text;
  }

  private static Outcome closed() {
    return new Outcome(Outcome.Result.CLOSED, null, false);
  }

  private static Outcome failed(EventSourceException failure, boolean stable) {
    return new Outcome(Outcome.Result.FAILED, failure, stable);
  }

  /** The parser's event as the client's API gives it. */
  private static Event toClientEvent(SseEvent parsed) {
    return new Event(parsed.id(), parsed.type(), parsed.data(), parsed.retry());
  }

  /**
   * Logs a failure of the application's code (a listener, a handler, an error strategy): the one
   * kind of failure the client logs, because nothing else would report it. Failures of the source
   * itself are not logged but delivered ({@link EventSourceListener#onError}, {@link #failure()}),
   * and the message never holds a URL, a header or event data (a token may be in any of them).
   */
  private static void logUserCodeFailure(String what, RuntimeException e) {
    LOG.log(System.Logger.Level.WARNING, what, e);
  }

  private void notifyListeners(Consumer<EventSourceListener> call) {
    notifyListeners(call, false);
  }

  private void notifyListeners(Consumer<EventSourceListener> call, boolean evenIfClosed) {
    for (EventSourceListener listener : config.listeners()) {
      if (closeRequested && !evenIfClosed) {
        return;
      }
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        logUserCodeFailure("event source listener failed", e);
      }
    }
  }

  /**
   * Parser callbacks, on the reader thread. Here the core's parser meets the client's API: each
   * parsed event becomes the client's own {@link Event} once, before any listener sees it.
   */
  private final class Dispatcher implements SseHandler {
    @Override
    public void onEvent(SseEvent parsed) {
      Event event = toClientEvent(parsed);
      lastEventId = event.id();
      notifyListeners(l -> l.onEvent(RealEventSource.this, event));
      List<Consumer<Event>> handlers = config.typedHandlers().get(event.type());
      if (handlers != null) {
        for (Consumer<Event> handler : handlers) {
          if (closeRequested) {
            return;
          }
          try {
            handler.accept(event);
          } catch (RuntimeException e) {
            logUserCodeFailure("event handler failed", e);
          }
        }
      }
    }

    @Override
    public void onComment(String comment) {
      notifyListeners(l -> l.onComment(RealEventSource.this, comment));
    }

    @Override
    public void onRetry(long millis) {
      serverRetryMillis = millis;
    }
  }
}
