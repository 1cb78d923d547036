package io.herald.core.update;

import java.util.List;
import java.util.Objects;

/**
 * One update accepted by the hub: what a publisher POSTed, plus the position the hub gave it.
 *
 * <p>Immutable. {@link #sequence()} is assigned by the transport when the update is accepted; it is
 * strictly increasing in the order updates are dispatched, so a subscriber that switches from
 * replaying history to the live stream can tell exactly where one ends and the other begins
 * (no gap, no duplicate). {@code 0} means "not yet sequenced".
 *
 * <p>Instances are built through {@link UpdateRules#validate}, which refuses anything that could
 * corrupt an event stream (see there for why each rule exists).
 *
 * @param id the SSE event ID: publisher-supplied or generated; never contains CR, LF or NUL
 * @param topics the canonical topic first, then alternates; never empty
 * @param data the event data, or {@code null} for none (line breaks are kept as sent)
 * @param type the SSE event type, or {@code null} for the default {@code message}
 * @param retry the reconnection delay hint in milliseconds, or {@code -1} for none
 * @param isPrivate whether only authorized subscribers may receive it
 * @param sequence the hub-assigned position, {@code 0} before the transport sequenced it
 */
public record Update(
    String id,
    List<String> topics,
    String data,
    String type,
    long retry,
    boolean isPrivate,
    long sequence) {

  public Update {
    Objects.requireNonNull(id, "id");
    topics = List.copyOf(topics);
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("an update needs at least one topic");
    }
  }

  /** The canonical topic: the first one the publisher gave. */
  public String topic() {
    return topics.get(0);
  }

  /** The same update at the given position. */
  public Update withSequence(long newSequence) {
    return new Update(id, topics, data, type, retry, isPrivate, newSequence);
  }

  /**
   * Whether {@code other} is the same publish: same ID, topics (in order), data, type, retry and
   * private flag; the sequence is ignored. Decides whether a publish reusing a stored ID is an
   * idempotent retry or a conflict.
   */
  public boolean sameContent(Update other) {
    return id.equals(other.id)
        && topics.equals(other.topics)
        && Objects.equals(data, other.data)
        && Objects.equals(type, other.type)
        && retry == other.retry
        && isPrivate == other.isPrivate;
  }

  /** Bytes this update is likely to occupy in memory or in a store, for retention accounting. */
  public long approximateSize() {
    long size = 64L + id.length() * 2L;
    for (String t : topics) {
      size += 16L + t.length() * 2L;
    }
    if (data != null) {
      size += data.length() * 2L;
    }
    if (type != null) {
      size += type.length() * 2L;
    }
    return size;
  }
}
