package io.herald.hub.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Open event streams per key (client address or token subject), at most {@code max} each.
 *
 * <p>A key is in the map only while it has open streams: its memory is bounded by the streams
 * themselves (each held by a connection the hub caps), and it cannot be an evicting cache, since
 * forgetting a count would let its key open more streams than allowed. Every stream admitted is
 * released exactly once through its {@link StreamLease}.
 */
final class StreamCounter {
  private final int max;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  StreamCounter(int max) {
    if (max <= 0) {
      throw new IllegalArgumentException("max must be positive");
    }
    this.max = max;
  }

  /** Counts one more stream of {@code key} if it has fewer than the maximum; returns whether. */
  boolean tryAcquire(String key) {
    boolean[] admitted = {false};
    open.compute(key, (k, n) -> {
      int count = n == null ? 0 : n;
      if (count >= max) {
        return n;
      }
      admitted[0] = true;
      return count + 1;
    });
    return admitted[0];
  }

  /** Counts one stream of {@code key} less. */
  void release(String key) {
    open.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }

  int max() {
    return max;
  }

  /** Open streams of {@code key}. */
  int count(String key) {
    return open.getOrDefault(key, 0);
  }

  /** Keys with open streams. */
  int keys() {
    return open.size();
  }
}
