package io.herald.redis;

import io.herald.core.history.SplitHistory;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RedisTransport} reaches Redis and what it keeps.
 *
 * @param uri {@code redis://[:password@]host:port[/db]} or {@code rediss://...} (TLS); a user
 *     name is accepted too ({@code redis://user:password@host})
 * @param keyPrefix the hash tag every key lives under ({@code {prefix}:updates} and so on): hubs
 *     sharing a prefix form one cluster; different prefixes share a Redis without seeing each other
 * @param maxEntries most updates kept in the stream for replay; {@code 0} for no limit
 * @param maxAge updates older than this are trimmed; {@link Duration#ZERO} for no limit
 * @param commandTimeout how long a command may take before the publish gets a 503 and the
 *     connection is dropped and re-established
 * @param maxEvents most of the hub's own events (subscription events) kept in the stream; they
 *     are not counted in {@code maxEntries}, so they never push application updates out (see
 *     docs/decisions/0004-subscription-events-retention.md)
 */
public record RedisOptions(
    String uri, String keyPrefix, long maxEntries, Duration maxAge, Duration commandTimeout,
    long maxEvents) {

  public RedisOptions {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
      throw new IllegalArgumentException("Redis URL must start with redis:// or rediss://, got '" + uri + "'");
    }
    if (keyPrefix.isEmpty() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
      throw new IllegalArgumentException("key prefix must be non-empty, without braces");
    }
    if (maxEntries < 0) {
      throw new IllegalArgumentException("maxEntries must be >= 0");
    }
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException("maxAge must be >= 0");
    }
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be >= 1");
    }
    if (commandTimeout.toMillis() < 100) {
      throw new IllegalArgumentException("commandTimeout must be at least 100ms");
    }
  }

  /**
   * Defaults: prefix {@code herald}, 1,000,000 updates, one day, 3 s command timeout, as many hub
   * events as a single hub keeps ({@link SplitHistory#DEFAULT_EVENT_CAPACITY}).
   */
  public static RedisOptions of(String uri) {
    return new RedisOptions(uri, "herald", 1_000_000, Duration.ofDays(1), Duration.ofSeconds(3),
        SplitHistory.DEFAULT_EVENT_CAPACITY);
  }

  public RedisOptions withRetention(long newMaxEntries, Duration newMaxAge) {
    return new RedisOptions(uri, keyPrefix, newMaxEntries, newMaxAge, commandTimeout, maxEvents);
  }

  public RedisOptions withKeyPrefix(String newKeyPrefix) {
    return new RedisOptions(uri, newKeyPrefix, maxEntries, maxAge, commandTimeout, maxEvents);
  }

  public RedisOptions withCommandTimeout(Duration newCommandTimeout) {
    return new RedisOptions(uri, keyPrefix, maxEntries, maxAge, newCommandTimeout, maxEvents);
  }

  public RedisOptions withMaxEvents(long newMaxEvents) {
    return new RedisOptions(uri, keyPrefix, maxEntries, maxAge, commandTimeout, newMaxEvents);
  }

  String streamKey() {
    return "{" + keyPrefix + "}:updates";
  }

  String indexKey() {
    return "{" + keyPrefix + "}:ids";
  }

  String sequenceKey() {
    return "{" + keyPrefix + "}:seq";
  }

  /** A list of the sequences of the hub events in the stream, oldest first. */
  String eventsKey() {
    return "{" + keyPrefix + "}:events";
  }

  /** The URI without its password, for logs and banners. */
  public String safeUri() {
    int at = uri.indexOf('@');
    if (at < 0) {
      return uri;
    }
    int scheme = uri.indexOf("://") + 3;
    return uri.substring(0, scheme) + "***@" + uri.substring(at + 1);
  }
}
