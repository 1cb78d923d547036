package io.herald.client.internal;

import io.herald.client.ErrorStrategy;
import io.herald.client.Event;
import io.herald.client.EventSourceListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An immutable snapshot of an {@code EventSources.Builder}: everything one source needs.
 * {@code bearerTokens} is {@code null} unless tokens are supplied per connection.
 */
public record EventSourceConfig(
    URI uri,
    HttpClient httpClient,
    Map<String, List<String>> headers,
    String lastEventId,
    Duration readTimeout,
    Duration reconnectDelay,
    Duration maxReconnectDelay,
    double backoffMultiplier,
    double jitter,
    Duration stablePeriod,
    ErrorStrategy errorStrategy,
    int maxLineBytes,
    int maxEventBytes,
    List<EventSourceListener> listeners,
    Map<String, List<Consumer<Event>>> typedHandlers,
    Supplier<String> bearerTokens) {

  /** The same settings with one more listener (used by the pull and reactive adapters). */
  public EventSourceConfig withListener(EventSourceListener listener) {
    List<EventSourceListener> all = new ArrayList<>(listeners);
    all.add(listener);
    return new EventSourceConfig(
        uri, httpClient, headers, lastEventId, readTimeout, reconnectDelay, maxReconnectDelay,
        backoffMultiplier, jitter, stablePeriod, errorStrategy, maxLineBytes, maxEventBytes,
        List.copyOf(all), typedHandlers, bearerTokens);
  }
}
