package io.herald.client;

import io.herald.client.internal.RetryAfter;
import io.herald.client.internal.SharedHttpClient;
import io.herald.client.internal.Urls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * A client for a Herald (or any Mercure) hub: publish updates, subscribe to topics, read the
 * active subscriptions.
 *
 * <pre>{@code
 * HubClient hub = HubClient.builder(URI.create("https://hub.example.com/.well-known/mercure"))
 *     .publisherToken(publisherJwt)
 *     .subscriberToken(subscriberJwt)
 *     .build();
 * String id = hub.publish(Publication.builder("https://example.com/books/1").data("...").build());
 * EventSource source = hub.subscribe("https://example.com/books/{id}")
 *     .listener(myListener)
 *     .connect();
 * }</pre>
 *
 * <p>Immutable and thread-safe; cheap to create (the HTTP client is shared).
 */
public final class HubClient {
  private final URI hubUrl;
  private final HttpClient http;
  private final Supplier<String> publisherTokens;
  private final Supplier<String> subscriberTokens;
  private final Duration timeout;

  private HubClient(Builder b) {
    this.hubUrl = b.hubUrl;
    this.http = b.http == null ? SharedHttpClient.get() : b.http;
    this.publisherTokens = b.publisherTokens;
    this.subscriberTokens = b.subscriberTokens;
    this.timeout = b.timeout;
  }

  /**
   * A builder for the hub at {@code hubUrl}: the full URL of its endpoint, usually ending in
   * {@code /.well-known/mercure} (what Mercure calls the hub URL).
   */
  public static Builder builder(URI hubUrl) {
    return new Builder(hubUrl);
  }

  /** The hub URL. */
  public URI hubUrl() {
    return hubUrl;
  }

  /**
   * Publishes with the publisher token of this client.
   *
   * @return the update's ID (the publisher's, or the one the hub generated)
   * @throws HubException when the hub refuses (see its subclasses), with the hub's reason
   * @throws IOException when the hub cannot be reached
   */
  public String publish(Publication publication) throws IOException, InterruptedException {
    return publish(publication, publisherTokens == null ? null : publisherTokens.get());
  }

  /**
   * Publishes with {@code token} (a JWS whose {@code mercure.publish} claim covers the topics);
   * {@code null} for none.
   *
   * @return the update's ID
   * @throws HubException when the hub refuses, with the hub's reason
   */
  public String publish(Publication publication, String token)
      throws IOException, InterruptedException {
    StringJoiner form = new StringJoiner("&");
    for (String topic : publication.topics()) {
      form.add("topic=" + Urls.formEncode(topic));
    }
    publication.data().ifPresent(d -> form.add("data=" + Urls.formEncode(d)));
    publication.id().ifPresent(id -> form.add("id=" + Urls.formEncode(id)));
    publication.type().ifPresent(t -> form.add("type=" + Urls.formEncode(t)));
    publication.retry().ifPresent(r -> form.add("retry=" + r));
    if (publication.isPrivate()) {
      form.add("private=on");
    }
    HttpRequest.Builder request =
        request(hubUrl, token)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form.toString(), StandardCharsets.UTF_8));
    return send(request.build()).strip();
  }

  /**
   * A subscription to {@code selectors} (topics or URI templates), ready to start: add listeners
   * and call {@code connect()}, {@code stream(n)} or {@code publisher()}. It carries the
   * subscriber token of this client, if any; call {@code lastEventId(id)} on it to resume after
   * an update (or {@code "earliest"} for all the hub still has).
   */
  public EventSources.Builder subscribe(String... selectors) {
    return subscribe(Arrays.asList(selectors));
  }

  /** As {@link #subscribe(String...)}. */
  public EventSources.Builder subscribe(Collection<String> selectors) {
    if (selectors.isEmpty()) {
      throw new IllegalArgumentException("subscribe to at least one topic selector");
    }
    EventSources.Builder b = EventSources.builder(hubUrl).httpClient(http);
    for (String selector : selectors) {
      b.queryParameter("topic", Objects.requireNonNull(selector, "selector"));
    }
    if (subscriberTokens != null) {
      b.bearerToken(subscriberTokens); // asked again at each reconnection
    }
    return b;
  }

  /**
   * All active subscriptions, as the hub's JSON-LD document ({@code GET
   * /.well-known/mercure/subscriptions}); needs a subscriber token allowed to read them.
   */
  public String subscriptions() throws IOException, InterruptedException {
    return getSubscriptions("");
  }

  /** The active subscriptions to {@code topic} (a selector, as subscribers gave it), as JSON-LD. */
  public String subscriptions(String topic) throws IOException, InterruptedException {
    return getSubscriptions("/" + Urls.encode(topic));
  }

  /** One subscriber's subscription to {@code topic}, as JSON-LD. */
  public String subscriptions(String topic, String subscriber)
      throws IOException, InterruptedException {
    return getSubscriptions("/" + Urls.encode(topic) + "/" + Urls.encode(subscriber));
  }

  private String getSubscriptions(String suffix) throws IOException, InterruptedException {
    String base = hubUrl.toString();
    int cut = base.indexOf('?');
    if (cut >= 0) {
      base = base.substring(0, cut);
    }
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    URI uri = URI.create(base + "/subscriptions" + suffix);
    String token = subscriberTokens == null ? null : subscriberTokens.get();
    return send(request(uri, token).header("Accept", "application/ld+json").GET().build());
  }

  private HttpRequest.Builder request(URI uri, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
    if ("http".equalsIgnoreCase(uri.getScheme())) {
      b.version(HttpClient.Version.HTTP_1_1);
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private String send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() == 200) {
      return response.body();
    }
    HubException refusal = HubException.of(response.statusCode(), firstLine(response.body()));
    RetryAfter.from(response.headers()).ifPresent(refusal::withRetryAfter);
    throw refusal;
  }

  private static String firstLine(String body) {
    String text = body == null ? "" : body.strip();
    int end = text.indexOf('\n');
    return (end < 0 ? text : text.substring(0, end)).strip();
  }

  /** Builds a {@link HubClient}. */
  public static final class Builder {
    private final URI hubUrl;
    private HttpClient http;
    private Supplier<String> publisherTokens;
    private Supplier<String> subscriberTokens;
    private Duration timeout = Duration.ofSeconds(30);

    private Builder(URI hubUrl) {
      this.hubUrl = Objects.requireNonNull(hubUrl, "hubUrl");
    }

    /** The JWS sent when publishing (claim {@code mercure.publish}). */
    public Builder publisherToken(String token) {
      Objects.requireNonNull(token, "token");
      this.publisherTokens = () -> token;
      return this;
    }

    /** Asks {@code tokens} for the publisher JWS at each publish (for short-lived tokens). */
    public Builder publisherToken(Supplier<String> tokens) {
      this.publisherTokens = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /**
     * The JWS sent when subscribing and reading subscriptions (claim {@code mercure.subscribe}).
     */
    public Builder subscriberToken(String token) {
      Objects.requireNonNull(token, "token");
      this.subscriberTokens = () -> token;
      return this;
    }

    /**
     * Asks {@code tokens} for the subscriber JWS at each connection and request: a subscription
     * outlives a token with {@code exp} (the hub then closes the stream, and the source
     * reconnects with a fresh token).
     */
    public Builder subscriberToken(Supplier<String> tokens) {
      this.subscriberTokens = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /** The HTTP client to use; by default one shared by all of Herald's clients. */
    public Builder httpClient(HttpClient client) {
      this.http = Objects.requireNonNull(client, "client");
      return this;
    }

    /** How long a publish or subscriptions request may take. Default 30 s. */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    public HubClient build() {
      return new HubClient(this);
    }
  }
}
