package io.herald.hub.subscribe;

import java.util.ArrayDeque;

/**
 * Caps how many replays run at once, so a resume storm (thousands of subscribers reconnecting
 * with {@code Last-Event-ID} after a restart) holds at most {@code maxActive} pages of history in
 * memory, whatever the number of subscribers. The others wait in a queue (a few objects each) and
 * keep their place; their live updates queue meanwhile under the per-subscriber bound.
 *
 * <p>Thread-safe; the critical sections only touch a counter and a queue.
 */
final class ReplayLimiter {
  private final int maxActive;
  private final ArrayDeque<Replay> waiting = new ArrayDeque<>();
  private int active;

  ReplayLimiter(int maxActive) {
    this.maxActive = maxActive;
  }

  /** Starts {@code replay} now, or when a running one finishes. */
  void submit(Replay replay) {
    synchronized (this) {
      if (active >= maxActive) {
        waiting.add(replay);
        return;
      }
      active++;
    }
    replay.start();
  }

  /** Called exactly once by every started replay when it ends, whatever the reason. */
  void finished() {
    Replay next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        active--;
        return;
      }
    }
    next.start();
  }
}
