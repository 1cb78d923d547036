package io.herald.core.sse;

/**
 * The stream sent a line or an event larger than the parser accepts.
 *
 * <p>Thrown by {@link SseParser#feed} instead of buffering without bound: a server (or a man in
 * the middle) that never sends a line break must not be able to exhaust the client's memory. The
 * current event is discarded; the stream should be abandoned (a client treats this as a fatal
 * connection error, since reconnecting would most likely replay the same oversized event).
 */
public final class SseLimitExceededException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Which buffer overflowed. */
  public enum Limit {
    /** One line (field name and value) exceeded {@code maxLineBytes}. */
    LINE,
    /** The data of one event exceeded {@code maxEventBytes}. */
    EVENT
  }

  private final Limit limit;
  private final int maxBytes;

  public SseLimitExceededException(Limit limit, int maxBytes) {
    super(
        (limit == Limit.LINE ? "SSE line" : "SSE event")
            + " larger than "
            + maxBytes
            + " bytes (raise max"
            + (limit == Limit.LINE ? "Line" : "Event")
            + "Bytes if the server legitimately sends such "
            + (limit == Limit.LINE ? "lines" : "events")
            + ")");
    this.limit = limit;
    this.maxBytes = maxBytes;
  }

  /** Which limit was exceeded. */
  public Limit limit() {
    return limit;
  }

  /** The limit, in bytes. */
  public int maxBytes() {
    return maxBytes;
  }
}
