package io.herald.store;

import io.herald.core.history.History;
import io.herald.core.history.HistoryException;
import io.herald.core.update.Update;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Builders shared by the store tests. */
final class TestUpdates {
  private TestUpdates() {}

  static Update update(String id, long sequence) {
    return new Update(
        id, List.of("https://example.com/books/1"), "data of " + id, null, -1, false, sequence);
  }

  /** Sequenced updates {@code from .. from + count - 1} with IDs {@code "id-<sequence>"}. */
  static List<Update> batch(long from, int count) {
    List<Update> out = new ArrayList<>(count);
    for (long s = from; s < from + count; s++) {
      out.add(update("id-" + s, s));
    }
    return out;
  }

  /** Everything {@code h} holds, in order, read page by page as a replay would. */
  static List<Update> readAll(History h) throws HistoryException {
    List<Update> out = new ArrayList<>();
    long after = 0;
    while (true) {
      List<Update> page = h.read(after, h.lastSequence(), 1000);
      if (page.isEmpty()) {
        return out;
      }
      out.addAll(page);
      after = page.get(page.size() - 1).sequence();
    }
  }

  /** A clock the test moves by hand, so age retention is tested without waiting. */
  static final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
