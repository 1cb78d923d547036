package io.herald.hub.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A request rate per key (client address or token subject): one {@link TokenBucket} per key.
 *
 * <p>Its memory is bounded: at most {@link #MAX_KEYS} buckets (keys are at most {@link
 * LimitKeys#MAX_KEY_CHARS} characters, so about 300 bytes each, 3 MB in all), and a bucket idle
 * long enough to have filled up again is forgotten, since a new one is the same full bucket. When
 * more keys are active than it holds, Caffeine evicts some (by its frequency-aware policy); an
 * evicted key starts again with a full bucket, so the limit then errs on the generous side, never
 * refusing anyone it should not. Getting there takes more than {@link #MAX_KEYS} distinct
 * addresses (IPv6 ones counted by /64) or validly signed subjects at once.
 */
final class RateLimiter {
  /** Most keys remembered at once. */
  static final int MAX_KEYS = 10_000;
  /** How many seconds' worth of requests may come at once. */
  static final double BURST_SECONDS = 2;

  private final double ratePerSecond;
  private final double burst;
  private final LongSupplier nanos;
  private final Cache<String, TokenBucket> buckets;

  /**
   * At most {@code ratePerSecond} requests per second per key, in bursts of up to twice that (at
   * least one request). {@code nanos} is the monotonic clock.
   */
  RateLimiter(double ratePerSecond, int maxKeys, LongSupplier nanos) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be positive and finite");
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = Math.max(1, ratePerSecond * BURST_SECONDS);
    this.nanos = nanos;
    long refillNanos = (long) Math.ceil(burst / ratePerSecond * 1e9);
    this.buckets = Caffeine.newBuilder()
        .maximumSize(maxKeys)
        .expireAfterAccess(Duration.ofNanos(Math.max(refillNanos, 1_000_000_000L)))
        .ticker(nanos::getAsLong)
        // Upkeep runs on the caller (amortized, a few entries at a time): no hidden threads.
        .executor(Runnable::run)
        .build();
  }

  /**
   * Counts a request of {@code key}. Returns 0 when it may go, else the nanoseconds until it
   * would be allowed.
   */
  long tryAcquire(String key) {
    TokenBucket bucket = buckets.get(key, k -> new TokenBucket(ratePerSecond, burst, nanos.getAsLong()));
    return bucket.tryTake(nanos.getAsLong());
  }

  /** The allowed rate, requests per second. */
  double ratePerSecond() {
    return ratePerSecond;
  }

  /** Keys remembered now (after pending evictions), for tests. */
  long keys() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }
}
