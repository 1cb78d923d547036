package io.herald.client;

/** Why an {@link EventSource} closed for good. */
public enum CloseReason {
  /** {@link EventSource#close()} was called. */
  CLOSED_BY_CLIENT,
  /** The server answered 204 No Content: the WHATWG way of saying "stop reconnecting". */
  NO_CONTENT,
  /**
   * The {@link ErrorStrategy} decided not to retry after a failure; {@link EventSource#failure()}
   * holds it.
   */
  GAVE_UP
}
