package io.herald.client.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnection delays: exponential growth from a base, capped, with jitter.
 *
 * <p>The base is the server's {@code retry} when it sent one, otherwise the configured first
 * delay. The cap never undercuts the server: a server asking for 60 s gets at least 60 s even if
 * the configured maximum is 30 s (it asked because it is overloaded).
 */
public final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private final double multiplier;
  private final double jitter;

  /**
   * Backoff settings.
   *
   * @param initial the base when the server sent no {@code retry}
   * @param max the cap of the growth (a larger server {@code retry} still wins)
   * @param multiplier the growth per further attempt
   * @param jitter the largest random reduction, as a fraction of the delay
   */
  public Backoff(Duration initial, Duration max, double multiplier, double jitter) {
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
    this.multiplier = multiplier;
    this.jitter = jitter;
  }

  /**
   * The delay before reconnection attempt number {@code attempt} (1 for the first after a stable
   * connection).
   *
   * @param serverRetryMillis the server's latest {@code retry}, or -1
   */
  public Duration delay(int attempt, long serverRetryMillis) {
    long base = serverRetryMillis >= 0 ? serverRetryMillis : initialMillis;
    double cap = Math.max(maxMillis, base);
    double nominal;
    if (attempt <= 1) {
      nominal = base;
    } else {
      // Grow from at least 1 ms, so that "retry: 0" cannot make a failing server a busy loop.
      nominal = Math.min(cap, Math.max(base, 1) * Math.pow(multiplier, attempt - 1.0));
    }
    double jittered = nominal * (1.0 - jitter * ThreadLocalRandom.current().nextDouble());
    return Duration.ofMillis(Math.round(jittered));
  }
}
