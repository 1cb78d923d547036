package io.herald.core.sse;

/**
 * Receives what an {@link SseParser} reads, synchronously, on the thread that fed the bytes.
 *
 * <p>Only {@link #onEvent} is required: comments and {@code retry} fields are rarely interesting
 * to applications, but a client uses them (comments prove a quiet connection is alive; {@code
 * retry} steers reconnection).
 */
@FunctionalInterface
public interface SseHandler {

  /** A complete event was dispatched (a blank line ended a block holding at least one data line). */
  void onEvent(SseEvent event);

  /**
   * A comment line ({@code :text}) was read. {@code comment} is the text after the colon, minus
   * one leading space if there is one (the usual {@code ": heartbeat"} form).
   */
  default void onComment(String comment) {}

  /**
   * A valid {@code retry} field (ASCII digits only) was read. It applies at once, not at dispatch,
   * as in browsers. Values too large for a {@code long} are reported as {@link Long#MAX_VALUE}.
   */
  default void onRetry(long millis) {}
}
