package io.herald.client;

import io.herald.client.internal.EventPublisher;
import io.herald.client.internal.EventSourceConfig;
import io.herald.client.internal.Headers;
import io.herald.client.internal.QueueingEventStream;
import io.herald.client.internal.RealEventSource;
import io.herald.client.internal.SharedHttpClient;
import io.herald.client.internal.Urls;
import io.herald.core.sse.SseParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Creates {@link EventSource}s: the entry point of the client.
 *
 * <pre>{@code
 * EventSource source = EventSources.builder(URI.create("https://example.com/events"))
 *     .bearerToken(token)
 *     .on("price", event -> System.out.println(event.data()))
 *     .connect();
 * // ...
 * source.close();
 * }</pre>
 */
public final class EventSources {
  private EventSources() {}

  /** A builder for sources reading {@code uri}. */
  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  /**
   * Settings for event sources, and the three ways to start one: {@link #connect()} (callbacks),
   * {@link #stream(int)} (blocking pull) and {@link #publisher()} (reactive streams).
   *
   * <p>A builder may start any number of sources; each takes a snapshot of the settings. Not
   * thread-safe.
   */
  public static final class Builder {
    private final URI baseUri;
    private final List<String[]> query = new ArrayList<>();
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private final List<EventSourceListener> listeners = new ArrayList<>();
    private final Map<String, List<Consumer<Event>>> typed = new LinkedHashMap<>();
    private HttpClient httpClient;
    private Supplier<String> tokens;
    private String lastEventId = "";
    private Duration readTimeout = Duration.ofSeconds(60);
    private Duration reconnectDelay = Duration.ofSeconds(3);
    private Duration maxReconnectDelay = Duration.ofSeconds(30);
    private double backoffMultiplier = 2.0;
    private double jitter = 0.25;
    private Duration stablePeriod = Duration.ofSeconds(30);
    private ErrorStrategy errorStrategy = ErrorStrategy.retryUnlessFatal();
    private int maxLineBytes = SseParser.DEFAULT_MAX_LINE_BYTES;
    private int maxEventBytes = SseParser.DEFAULT_MAX_EVENT_BYTES;

    Builder(URI uri) {
      this.baseUri = Objects.requireNonNull(uri, "uri");
      String scheme = uri.getScheme();
      if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
        throw new IllegalArgumentException("an event source needs an http(s) URL: " + uri);
      }
    }

    /**
     * Adds a request header sent on every connection (e.g. a cookie or an API key).
     *
     * @throws IllegalArgumentException for a header the JDK's HTTP client refuses (a restricted
     *     one such as {@code Connection} or {@code Host}, or an invalid name or value)
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      Headers.check(name, value);
      headers.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      return this;
    }

    /** Sends {@code Authorization: Bearer token} on every connection. */
    public Builder bearerToken(String token) {
      String value = "Bearer " + Objects.requireNonNull(token, "token");
      Headers.check("Authorization", value);
      headers.put("Authorization", List.of(value));
      tokens = null;
      return this;
    }

    /**
     * Asks {@code tokens} for the bearer token before each connection, so that a reconnection
     * presents a fresh one: a Mercure hub closes a stream when its token expires, and the same
     * token would then be refused. The supplier runs on the source's thread; if it throws, the
     * source gives up with that failure.
     */
    public Builder bearerToken(Supplier<String> tokens) {
      this.tokens = Objects.requireNonNull(tokens, "tokens");
      headers.remove("Authorization");
      return this;
    }

    /**
     * Appends a query parameter to the URL (percent-encoded here; may be repeated, e.g. Mercure's
     * {@code topic}).
     */
    public Builder queryParameter(String name, String value) {
      query.add(new String[] {Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")});
      return this;
    }

    /**
     * Resumes after the event with this ID: it is sent as {@code Last-Event-ID} from the first
     * connection on (not only on reconnections). Empty means from now.
     */
    public Builder lastEventId(String id) {
      this.lastEventId = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * The HTTP client to use (for a proxy, TLS settings, an executor...). By default one shared
     * client is used, following redirects (except HTTPS to HTTP) and speaking HTTP/2 over TLS
     * when the server offers it, HTTP/1.1 otherwise.
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * How long a connection may stay silent (no byte at all, heartbeats included) before it is
     * considered dead and replaced; it also bounds the wait for response headers. Pick more than
     * the server's heartbeat interval (a Herald hub's default is 15 s). {@link Duration#ZERO}
     * disables it. Default 60 s.
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = nonNegative(timeout, "readTimeout");
      return this;
    }

    /**
     * The first reconnection delay, until the server sets one with {@code retry}. Default 3 s, as
     * in browsers.
     */
    public Builder reconnectDelay(Duration delay) {
      this.reconnectDelay = nonNegative(delay, "reconnectDelay");
      return this;
    }

    /**
     * The longest delay the exponential backoff grows to. A server's {@code retry} above it is
     * still honoured, and so is a {@code Retry-After} on an error response (the delay is then at
     * least that). Default 30 s.
     */
    public Builder maxReconnectDelay(Duration delay) {
      this.maxReconnectDelay = nonNegative(delay, "maxReconnectDelay");
      return this;
    }

    /** By how much the delay grows after each further failed attempt. Default 2. */
    public Builder backoffMultiplier(double multiplier) {
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("backoffMultiplier must be at least 1");
      }
      this.backoffMultiplier = multiplier;
      return this;
    }

    /**
     * Random reduction of each delay, as a fraction (0.25: each delay is between 75% and 100% of
     * its nominal value), so that many clients dropped at once do not all come back at the same
     * instant. 0 disables it. Default 0.25.
     */
    public Builder jitter(double fraction) {
      if (!(fraction >= 0.0 && fraction <= 1.0)) {
        throw new IllegalArgumentException("jitter must be between 0 and 1");
      }
      this.jitter = fraction;
      return this;
    }

    /**
     * How long a connection must stay open for the backoff to start again from the first delay
     * (and for the error strategy's count of attempts to restart). Default 30 s.
     */
    public Builder stablePeriod(Duration period) {
      this.stablePeriod = nonNegative(period, "stablePeriod");
      return this;
    }

    /** What to do after a failure. Default {@link ErrorStrategy#retryUnlessFatal()}. */
    public Builder errorStrategy(ErrorStrategy strategy) {
      this.errorStrategy = Objects.requireNonNull(strategy, "strategy");
      return this;
    }

    /**
     * The longest line accepted, in bytes; a longer one fails the connection ({@link
     * EventSourceException.Kind#TOO_LARGE}). Default 1 MiB.
     */
    public Builder maxLineBytes(int bytes) {
      this.maxLineBytes = positive(bytes, "maxLineBytes");
      return this;
    }

    /** The most data one event may hold, in bytes. Default 4 MiB. */
    public Builder maxEventBytes(int bytes) {
      this.maxEventBytes = positive(bytes, "maxEventBytes");
      return this;
    }

    /** Adds a listener that receives every callback (events of all types included). */
    public Builder listener(EventSourceListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Adds a handler for events of one type only ({@code message} for events that name none), like
     * a browser's {@code addEventListener(type, ...)}.
     */
    public Builder on(String type, Consumer<Event> handler) {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(handler, "handler");
      typed.computeIfAbsent(type, t -> new ArrayList<>()).add(handler);
      return this;
    }

    /** The URL the sources will connect to, query parameters included. */
    public URI uri() {
      return Urls.withQuery(baseUri, query);
    }

    /** Starts a source that calls the registered listeners and handlers. */
    public EventSource connect() {
      return RealEventSource.start(config(List.of()));
    }

    /** Starts a source that calls {@code listener} as well as the registered ones. */
    public EventSource connect(EventSourceListener listener) {
      return RealEventSource.start(config(List.of(Objects.requireNonNull(listener, "listener"))));
    }

    /**
     * Starts a source whose events are taken from a buffer of {@code capacity} events (the
     * registered listeners are called too).
     */
    public EventStream stream(int capacity) {
      QueueingEventStream stream = new QueueingEventStream(positive(capacity, "capacity"));
      stream.attach(RealEventSource.start(config(List.of(stream.listener()))));
      return stream;
    }

    /**
     * A cold {@link Flow.Publisher}: each subscriber gets its own source, started on {@code
     * subscribe}, which reads only as fast as the subscriber requests (no unbounded buffering).
     * It completes after a 204, fails with {@link EventSourceException} when the source gives up,
     * and cancelling the subscription closes the source.
     */
    public Flow.Publisher<Event> publisher() {
      List<EventSourceListener> none = List.of();
      EventSourceConfig base = config(none);
      return new EventPublisher(base);
    }

    private EventSourceConfig config(List<EventSourceListener> extra) {
      List<EventSourceListener> all = new ArrayList<>(listeners);
      all.addAll(extra);
      Map<String, List<Consumer<Event>>> typedCopy = new LinkedHashMap<>();
      typed.forEach((k, v) -> typedCopy.put(k, List.copyOf(v)));
      Map<String, List<String>> headersCopy = new LinkedHashMap<>();
      headers.forEach((k, v) -> headersCopy.put(k, List.copyOf(v)));
      return new EventSourceConfig(
          uri(),
          httpClient == null ? SharedHttpClient.get() : httpClient,
          headersCopy,
          lastEventId,
          readTimeout,
          reconnectDelay,
          maxReconnectDelay,
          backoffMultiplier,
          jitter,
          stablePeriod,
          errorStrategy,
          maxLineBytes,
          maxEventBytes,
          List.copyOf(all),
          typedCopy,
          tokens);
    }

    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative");
      }
      return d;
    }

    private static int positive(int n, String name) {
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return n;
    }
  }
}
