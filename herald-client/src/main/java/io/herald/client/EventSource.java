package io.herald.client;

import java.net.URI;
import java.util.Optional;

/**
 * A running connection to a {@code text/event-stream} endpoint that reconnects by itself until it
 * is {@linkplain #close() closed}, the server answers 204, or its {@link ErrorStrategy} gives up.
 *
 * <p>Built by {@link EventSources.Builder}. Each source owns one thread (named {@code
 * herald-sse-N}) that connects, reads, waits between attempts and calls the listeners; listeners
 * therefore run one at a time, in stream order, and a slow listener slows the reading down (the
 * server is pushed back through TCP) rather than making memory grow.
 *
 * <p>Thread-safe.
 */
public interface EventSource extends AutoCloseable {

  /** Where a source is in its life, as in the browser's {@code EventSource.readyState}. */
  enum State {
    /** Connecting, or waiting to reconnect. */
    CONNECTING,
    /** Connected: events are being read. */
    OPEN,
    /** Closed for good; see {@link EventSourceListener#onClosed}. */
    CLOSED
  }

  /** The URL connected to (with the query parameters the builder added). */
  URI uri();

  /** The current state. */
  State state();

  /**
   * The last event ID received (or the one the source was started with): what is sent as {@code
   * Last-Event-ID} on the next connection; empty when there is none.
   */
  String lastEventId();

  /** The failure that made the source give up, once it has; empty otherwise. */
  Optional<EventSourceException> failure();

  /**
   * Closes the source: the connection is released and the source's thread ends before this method
   * returns (unless it is called from a listener, on that very thread: then both end as soon as the
   * listener returns). No listener is called afterwards except {@link EventSourceListener#onClosed}.
   * Idempotent.
   */
  @Override
  void close();
}
