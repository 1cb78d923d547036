package io.herald.client;

import java.util.Objects;

/**
 * One event read from a {@code text/event-stream}, as a browser's {@code MessageEvent} sees it:
 * what {@link EventSourceListener#onEvent}, {@link EventSources.Builder#on}, {@link EventStream}
 * and {@link EventSources.Builder#publisher()} hand over.
 *
 * <p>The client's own type, so that its API depends on nothing but the JDK: the parser behind it
 * may change without changing this record. Immutable.
 *
 * @param id the last event ID at the time of dispatch: the value of the latest {@code id} field of
 *     this stream (or the one the source was started with, see {@link
 *     EventSources.Builder#lastEventId}), so it persists to later events that carry no {@code id};
 *     empty when there is none
 * @param type the {@code event} field, or {@link #DEFAULT_TYPE} when the event did not set one
 * @param data the {@code data} lines joined by LF (line breaks sent as CR or CRLF arrive as LF)
 * @param retry the reconnection delay in milliseconds set by a valid {@code retry} field inside
 *     this event's block, or {@code -1} when the block set none (the source applies it either way)
 */
public record Event(String id, String type, String data, long retry) {

  /** The type an event has when the stream did not name one. */
  public static final String DEFAULT_TYPE = "message";

  /** Checks that no part is {@code null}. */
  public Event {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
  }

  /** An event without a block-level {@code retry}. */
  public Event(String id, String type, String data) {
    this(id, type, data, -1);
  }
}
