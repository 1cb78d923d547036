package io.herald.hub.limits;

import io.herald.hub.limits.Refusal.By;
import io.herald.hub.limits.Refusal.Limit;
import java.util.concurrent.atomic.LongAdder;

/** Requests refused by each limit, for metrics and tests. Thread-safe, contention-free. */
public final class LimitCounters {
  private final LongAdder[] refused = new LongAdder[Limit.values().length * By.values().length];

  LimitCounters() {
    for (int i = 0; i < refused.length; i++) {
      refused[i] = new LongAdder();
    }
  }

  void refused(Refusal r) {
    refused[index(r.limit(), r.by())].increment();
  }

  /** Requests refused so far by {@code limit} counted by {@code by}. */
  public long refusedCount(Limit limit, By by) {
    return refused[index(limit, by)].sum();
  }

  private static int index(Limit limit, By by) {
    return limit.ordinal() * By.values().length + by.ordinal();
  }
}
