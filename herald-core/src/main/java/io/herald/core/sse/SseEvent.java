package io.herald.core.sse;

import java.util.Objects;

/**
 * One event read from a {@code text/event-stream}, as a browser's {@code MessageEvent} sees it.
 *
 * @param id the last event ID at the time of dispatch: the value of the latest {@code id} field of
 *     this stream (or of an earlier one, see {@link SseParser#lastEventId(String)}), so it persists
 *     to later events that carry no {@code id}; empty when there is none
 * @param type the {@code event} field, or {@code message} when the event did not set one
 * @param data the {@code data} lines joined by LF (line breaks sent as CR or CRLF arrive as LF)
 * @param retry the reconnection delay in milliseconds set by a valid {@code retry} field inside
 *     this event's block, or {@code -1} when the block set none
 */
public record SseEvent(String id, String type, String data, long retry) {

  /** The type an event has when the stream did not name one. */
  public static final String DEFAULT_TYPE = "message";

  public SseEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
  }

  /** An event without a block-level {@code retry}. */
  public SseEvent(String id, String type, String data) {
    this(id, type, data, -1);
  }
}
