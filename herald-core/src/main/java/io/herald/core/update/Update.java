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
 * <p>Safe by construction: whoever makes one (a publish through {@link UpdateRules#validate}, the
 * hub's own events, a record read back from a store or a shared log), an update never holds what
 * could corrupt an event stream: its {@code id} and {@code type} have no CR, LF or NUL (else the
 * constructor throws {@link UnsafeUpdateException}), and its data's line breaks are all LF. The SSE
 * encoder relies on this. {@link UpdateRules} holds the publisher's other rules.
 *
 * @param id the SSE event ID: publisher-supplied or generated; never contains CR, LF or NUL
 * @param topics the canonical topic first, then alternates; never empty
 * @param data the event data, or {@code null} for none; every line break in it is LF (CRLF and
 *     a lone CR become LF when the update is made: SSE reads all three as one line break, so
 *     subscribers see the same event either way)
 * @param type the SSE event type, or {@code null} for the default {@code message}; never contains
 *     CR, LF or NUL
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
    requireOneLine("id", id);
    if (type != null) {
      requireOneLine("type", type);
    }
    topics = List.copyOf(topics);
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("an update needs at least one topic");
    }
    if (data != null) {
      data = normalizeLineBreaks(data);
    }
  }

  /**
   * The rule that makes SSE injection impossible. {@code id} and {@code type} are each written on
   * one line of the event stream ({@code id: ...}, {@code event: ...}): a CR or LF would end that
   * line and let whoever chose the value append any field, or a whole fake event, to the stream of
   * every subscriber of the topic. A NUL makes browsers ignore the {@code id:} line, so resumption
   * would silently break. Checked here, where every update is made, so no update can carry one,
   * whether it came from a publisher, the hub itself, a store or another node.
   *
   * @throws UnsafeUpdateException naming the field, when {@code value} holds CR, LF or NUL
   */
  static void requireOneLine(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0') {
        throw new UnsafeUpdateException("\"" + field + "\" must not contain CR, LF or NUL");
      }
    }
  }

  /**
   * {@code data} with every CRLF and lone CR made LF. Event data may span lines (each becomes one
   * {@code data:} line), and SSE ends a line at CR, LF or CRLF alike; with one kind of line break
   * left, the encoder splits at LF only and nothing else can end a {@code data:} line early.
   */
  private static String normalizeLineBreaks(String data) {
    int cr = data.indexOf('\r');
    if (cr < 0) {
      return data;
    }
    StringBuilder b = new StringBuilder(data.length());
    b.append(data, 0, cr);
    for (int i = cr; i < data.length(); i++) {
      char c = data.charAt(i);
      if (c != '\r') {
        b.append(c);
        continue;
      }
      b.append('\n');
      if (i + 1 < data.length() && data.charAt(i + 1) == '\n') {
        i++;
      }
    }
    return b.toString();
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
   * idempotent retry or a conflict. Data is compared with its line breaks normalised (see
   * {@link #data()}), so a retry that sends CRLF where the first publish sent LF is the same
   * publish: subscribers would get the very same event.
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
