package io.herald.client;

import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Callbacks of an {@link EventSource}. Every method has an empty default, so implement only what
 * you need (usually {@link #onEvent}).
 *
 * <p>All calls for one source come from its own thread, one at a time, in order. An exception
 * thrown by a listener is logged (through {@link System.Logger}) and does not stop the source.
 */
public interface EventSourceListener {

  /**
   * The server accepted a connection (status 200, {@code text/event-stream}); called once per
   * connection, before its first event. {@code response} tells the protocol version, the final
   * URL after redirects and the headers (a Mercure hub sends {@code Last-Event-ID} there when
   * resuming); its body is read by the source, not available here.
   */
  default void onOpen(EventSource source, HttpResponse<Void> response) {}

  /** An event arrived. Called for every type; see {@link EventSources.Builder#on} for one type. */
  default void onEvent(EventSource source, Event event) {}

  /** A comment line arrived ({@code : text}): typically a heartbeat proving the link is alive. */
  default void onComment(EventSource source, String comment) {}

  /**
   * A connection attempt failed, or an open connection broke. Called before the {@link
   * ErrorStrategy} decides whether to retry; a normal end of stream is not an error (the source
   * then just reconnects, see {@link #onReconnect}).
   */
  default void onError(EventSource source, EventSourceException error) {}

  /**
   * The source will reconnect after {@code delay}.
   *
   * @param attempt how many consecutive connections failed or ended without having been stable,
   *     this one included (1 after a connection that had been open for the stable period)
   */
  default void onReconnect(EventSource source, int attempt, Duration delay) {}

  /** The source closed for good. The last call this listener receives. */
  default void onClosed(EventSource source, CloseReason reason) {}
}
