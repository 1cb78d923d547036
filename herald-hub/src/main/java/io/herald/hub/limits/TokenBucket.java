package io.herald.hub.limits;

/**
 * One key's request rate: {@code ratePerSecond} tokens flow in per second, up to {@code burst};
 * a request takes one token, or is refused (taking none) when less than one is there.
 *
 * <p>Time comes from the caller as nanoseconds of a monotonic clock ({@link System#nanoTime()} in
 * the hub, a test's own clock in tests), so the bucket never reads the time itself. Thread-safe:
 * the requests of one key may arrive on several event loops.
 */
final class TokenBucket {
  private final double tokensPerNano;
  private final double burst;
  private double tokens;
  private long lastNanos;

  /** A full bucket at {@code nowNanos}. */
  TokenBucket(double ratePerSecond, double burst, long nowNanos) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) {
      throw new IllegalArgumentException("rate must be positive and burst at least 1");
    }
    this.tokensPerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  /**
   * Takes a token at {@code nowNanos}. Returns 0 when one was taken (the request may go), else the
   * nanoseconds until one will be there.
   */
  synchronized long tryTake(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * tokensPerNano);
      lastNanos = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano));
  }
}
