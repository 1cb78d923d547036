package io.herald.redis;

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
 */
public record RedisOptions(
    String uri, String keyPrefix, long maxEntries, Duration maxAge, Duration commandTimeout) {

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
    if (commandTimeout.toMillis() < 100) {
      throw new IllegalArgumentException("commandTimeout must be at least 100ms");
    }
  }

  /** Defaults: prefix {@code herald}, 1,000,000 updates, one day, 3 s command timeout. */
  public static RedisOptions of(String uri) {
    return new RedisOptions(uri, "herald", 1_000_000, Duration.ofDays(1), Duration.ofSeconds(3));
  }

  public RedisOptions withRetention(long newMaxEntries, Duration newMaxAge) {
    return new RedisOptions(uri, keyPrefix, newMaxEntries, newMaxAge, commandTimeout);
  }

  public RedisOptions withKeyPrefix(String newKeyPrefix) {
    return new RedisOptions(uri, newKeyPrefix, maxEntries, maxAge, commandTimeout);
  }

  public RedisOptions withCommandTimeout(Duration newCommandTimeout) {
    return new RedisOptions(uri, keyPrefix, maxEntries, maxAge, newCommandTimeout);
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
