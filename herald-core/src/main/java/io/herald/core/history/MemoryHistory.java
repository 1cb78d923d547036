package io.herald.core.history;

import io.herald.core.update.Update;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded ring of the most recent updates, in memory ({@code --history memory}, and the hub's
 * own subscription events, see {@link SplitHistory}). Lost on restart; never holds more than
 * {@code capacity} updates nor, when a byte cap is given, more than that many bytes of them
 * ({@link Update#approximateSize()}): the oldest are evicted first.
 *
 * <p>Sequences must increase but need not be consecutive (the other class of updates takes the
 * numbers in between when this ring holds one class of a {@link SplitHistory}); reads find their
 * start by binary search.
 *
 * <p>Reads and the single writer share one lock; every critical section is a few array accesses
 * (a binary search at most), so readers never wait on I/O.
 */
public final class MemoryHistory implements History {
  private final Update[] ring;
  private final long maxBytes;
  private final Map<String, Long> sequenceById;
  private int head; // index of the oldest update kept
  private int size;
  private long bytes;
  private long last; // sequence of the newest update ever appended, 0 when none
  private String lastId;

  public MemoryHistory(int capacity) {
    this(capacity, Long.MAX_VALUE);
  }

  /** A ring of at most {@code capacity} updates and {@code maxBytes} bytes of them. */
  public MemoryHistory(int capacity, long maxBytes) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1");
    }
    this.ring = new Update[capacity];
    this.maxBytes = maxBytes;
    this.sequenceById = new HashMap<>();
  }

  @Override
  public synchronized void append(List<Update> batch) {
    for (Update u : batch) {
      if (u.sequence() <= last) {
        throw new IllegalStateException("sequence " + u.sequence() + " after " + last);
      }
      long cost = u.approximateSize();
      while (size == ring.length || (size > 0 && bytes + cost > maxBytes)) {
        evictOldest();
      }
      ring[(head + size) % ring.length] = u;
      size++;
      bytes += cost;
      sequenceById.put(u.id(), u.sequence());
      last = u.sequence();
      lastId = u.id();
    }
  }

  private void evictOldest() {
    Update evicted = ring[head];
    ring[head] = null;
    head = (head + 1) % ring.length;
    size--;
    bytes -= evicted.approximateSize();
    sequenceById.remove(evicted.id(), evicted.sequence());
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
    return seq == null ? null : at(firstAfter(seq - 1));
  }

  @Override
  public synchronized List<Update> read(long afterSequence, long upToSequence, int limit) {
    List<Update> out = new ArrayList<>();
    for (int i = firstAfter(afterSequence); i < size && out.size() < limit; i++) {
      Update u = at(i);
      if (u.sequence() > upToSequence) {
        break;
      }
      out.add(u);
    }
    return out;
  }

  /** The ID of the newest update appended (even if the byte cap has evicted it since). */
  @Override
  public synchronized String lastEventId() {
    return lastId;
  }

  @Override
  public void close() {}

  /** The update at position {@code i} from the oldest kept. */
  private Update at(int i) {
    return ring[(head + i) % ring.length];
  }

  /** The position of the oldest kept update with a sequence above {@code sequence}, or {@code size}. */
  private int firstAfter(long sequence) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (at(mid).sequence() > sequence) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}
