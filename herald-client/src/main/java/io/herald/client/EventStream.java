package io.herald.client;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The pull style: events of an {@link EventSource} waiting in a bounded buffer for code that asks
 * for them, for a loop or a worker thread rather than callbacks.
 *
 * <pre>{@code
 * try (EventStream events = EventSources.builder(uri).stream(256)) {
 *   for (Event event : events) {
 *     handle(event);
 *   }
 * }
 * }</pre>
 *
 * <p>Backpressure: when the buffer is full, the source stops reading until the consumer catches
 * up (the server is then pushed back through TCP), so memory stays bounded by the buffer's
 * capacity times the event size limit. The stream ends after the server answered 204 or after
 * {@link #close()}; it fails with {@link EventSourceException} when the source gave up. Events
 * buffered before the end are still delivered.
 *
 * <p>Meant for one consumer thread; {@link #close()} may be called from any thread.
 */
public interface EventStream extends Iterable<Event>, AutoCloseable {

  /**
   * The next event, waiting as long as needed.
   *
   * @throws NoSuchElementException when the stream has ended
   * @throws EventSourceException when the source gave up
   * @throws InterruptedException when the waiting thread is interrupted
   */
  Event take() throws InterruptedException;

  /**
   * The next event, or {@code null} if none arrived within {@code timeout}.
   *
   * @throws NoSuchElementException when the stream has ended
   * @throws EventSourceException when the source gave up
   */
  Event poll(Duration timeout) throws InterruptedException;

  /** How many events are buffered, waiting to be taken (never more than the capacity). */
  int buffered();

  /** The source behind this stream (for its state and last event ID). */
  EventSource source();

  /**
   * A blocking iterator: {@code hasNext()} waits for the next event and answers {@code false} once
   * the stream has ended. It throws {@link EventSourceException} when the source gave up, and an
   * interruption of the waiting thread ends the iteration (the interrupt flag is kept).
   */
  @Override
  Iterator<Event> iterator();

  /** Closes the source and ends the stream; buffered events are dropped. */
  @Override
  void close();
}
