package io.herald.core.history;

import io.herald.core.update.Update;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded ring of the most recent updates, in memory ({@code --history memory}). Lost on
 * restart; never grows past {@code capacity} updates.
 *
 * <p>Reads and the single writer share one lock; every critical section is a few array accesses,
 * so readers never wait on I/O.
 */
public final class MemoryHistory implements History {
  private final Update[] ring;
  private final Map<String, Long> sequenceById;
  private long first = 1; // sequence of the oldest update kept
  private long last; // sequence of the newest update kept, 0 when none

  public MemoryHistory(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.ring = new Update[capacity];
    this.sequenceById = new HashMap<>();
  }

  @Override
  public synchronized void append(List<Update> batch) {
    for (Update u : batch) {
      if (last != 0 && u.sequence() != last + 1) {
        throw new IllegalStateException("sequence gap: " + last + " then " + u.sequence());
      }
      if (last == 0) {
        first = u.sequence();
      }
      int slot = slot(u.sequence());
      Update evicted = ring[slot];
      if (evicted != null) {
        sequenceById.remove(evicted.id(), evicted.sequence());
        first = evicted.sequence() + 1;
      }
      ring[slot] = u;
      sequenceById.put(u.id(), u.sequence());
      last = u.sequence();
    }
  }

  @Override
  public synchronized long lastSequence() {
    return last;
  }

  @Override
  public synchronized ReplayStart locate(String lastEventId) {
    Long seq = sequenceById.get(lastEventId);
    if (seq == null) {
      return ReplayStart.earliest();
    }
    return new ReplayStart(seq, lastEventId);
  }

  @Override
  public synchronized Update find(String eventId) {
    Long seq = sequenceById.get(eventId);
    return seq == null ? null : ring[slot(seq)];
  }

  @Override
  public synchronized List<Update> read(long afterSequence, long upToSequence, int limit) {
    long from = Math.max(afterSequence + 1, first);
    long to = Math.min(upToSequence, last);
    List<Update> out = new ArrayList<>((int) Math.max(0, Math.min(limit, to - from + 1)));
    for (long s = from; s <= to && out.size() < limit; s++) {
      out.add(ring[slot(s)]);
    }
    return out;
  }

  @Override
  public synchronized String lastEventId() {
    return last == 0 ? null : ring[slot(last)].id();
  }

  @Override
  public void close() {}

  private int slot(long sequence) {
    return (int) (sequence % ring.length);
  }
}
