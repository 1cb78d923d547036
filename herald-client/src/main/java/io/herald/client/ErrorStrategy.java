package io.herald.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Decides, after each failure of an {@link EventSource}, whether to reconnect or give up.
 *
 * <p>The WHATWG EventSource reconnects after network errors and gives up on anything else; a
 * library must let its user choose (a dashboard may want to retry a 503 forever, a batch job to
 * stop after a minute). A normal end of stream is not a failure: the source always reconnects
 * then, as browsers do (204 is how a server says "stop").
 *
 * <p>The reconnection delay itself is not decided here but by the backoff settings of {@link
 * EventSources.Builder}.
 */
@FunctionalInterface
public interface ErrorStrategy {

  /**
   * Whether to reconnect after {@code error}.
   *
   * @param attempt how many consecutive connections failed (or ended without having been stable),
   *     this one included
   * @param sinceFirstFailure time since the first failure of this run of failures
   */
  boolean shouldRetry(EventSourceException error, int attempt, Duration sinceFirstFailure);

  /**
   * The default: retry what is {@linkplain EventSourceException#isRetryable() retryable} (network
   * errors, read timeouts, 408/429/5xx) forever; give up on anything else (401, 403, 404, wrong
   * content type, oversized event).
   */
  static ErrorStrategy retryUnlessFatal() {
    return (error, attempt, since) -> error.isRetryable();
  }

  /** Retry everything, fatal failures included, forever (until {@link EventSource#close()}). */
  static ErrorStrategy retryForever() {
    return (error, attempt, since) -> true;
  }

  /** Never retry: the source closes at its first failure. */
  static ErrorStrategy stop() {
    return (error, attempt, since) -> false;
  }

  /**
   * Retry retryable failures until {@code maxAttempts} consecutive connections have failed (so at
   * most {@code maxAttempts} attempts per run of failures); give up on fatal ones at once.
   */
  static ErrorStrategy giveUpAfterAttempts(int maxAttempts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    return (error, attempt, since) -> error.isRetryable() && attempt < maxAttempts;
  }

  /**
   * Retry retryable failures while the current run of failures is younger than {@code maxTime};
   * give up on fatal ones at once.
   */
  static ErrorStrategy giveUpAfter(Duration maxTime) {
    Objects.requireNonNull(maxTime, "maxTime");
    return (error, attempt, since) -> error.isRetryable() && since.compareTo(maxTime) < 0;
  }
}
