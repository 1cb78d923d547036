package io.herald.client;

import java.net.URI;
import java.util.Optional;

/**
 * Why a connection attempt failed or an open connection broke, classified so that an {@link
 * ErrorStrategy} can decide what to do.
 *
 * <p>Unchecked, because it is mostly delivered to callbacks and thrown from {@link
 * java.util.Iterator#hasNext()}, where checked exceptions cannot go.
 */
public final class EventSourceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /**
     * Connecting or reading failed (refused, reset, DNS, TLS...): retryable. Also, not retryable,
     * an unexpected failure inside the source (e.g. the HTTP client refusing the request).
     */
    NETWORK,
    /** Nothing arrived, not even a heartbeat, for longer than the read timeout. Retryable. */
    READ_TIMEOUT,
    /**
     * The server answered a status other than 200 and 204. Retryable for 408, 429 and 5xx other
     * than 501 and 505 (the server may recover), fatal otherwise (401, 403, 404... will not fix
     * themselves).
     */
    HTTP_STATUS,
    /** The response was not {@code text/event-stream}. Fatal. */
    CONTENT_TYPE,
    /**
     * A line or an event exceeded the configured size limit. Fatal: a reconnection would most
     * likely replay the same oversized event.
     */
    TOO_LARGE
  }

  private final Kind kind;
  private final URI uri;
  private final int status;
  private final String reason;
  private final boolean retryable;

  /**
   * Creates a failure description.
   *
   * @param status the HTTP status, or -1 when there was no response
   * @param reason the server's one-line reason (the start of an error body), or {@code null}
   */
  public EventSourceException(
      Kind kind, URI uri, int status, String reason, boolean retryable, Throwable cause) {
    super(message(kind, uri, status, reason, cause), cause);
    this.kind = kind;
    this.uri = uri;
    this.status = status;
    this.reason = reason;
    this.retryable = retryable;
  }

  private static String message(Kind kind, URI uri, int status, String reason, Throwable cause) {
    StringBuilder m = new StringBuilder();
    switch (kind) {
      case HTTP_STATUS:
        m.append("HTTP ").append(status);
        break;
      case CONTENT_TYPE:
        m.append("not an event stream (").append(reason == null ? "no content type" : reason).append(')');
        reason = null;
        break;
      case READ_TIMEOUT:
        m.append("read timeout: the server sent nothing");
        break;
      case TOO_LARGE:
        m.append(cause == null ? "event too large" : cause.getMessage());
        break;
      default:
        m.append("network error");
        if (cause != null) {
          m.append(": ").append(cause.getClass().getSimpleName());
          if (cause.getMessage() != null) {
            m.append(' ').append(cause.getMessage());
          }
        }
    }
    m.append(" from ").append(uri);
    if (reason != null && !reason.isEmpty()) {
      m.append(": ").append(reason);
    }
    return m.toString();
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }

  /** The URL of the failed connection. */
  public URI uri() {
    return uri;
  }

  /** The HTTP status, when the failure is a response. */
  public Optional<Integer> status() {
    return status < 0 ? Optional.empty() : Optional.of(status);
  }

  /**
   * The server's one-line reason for an error status (the first line of its body, which is how a
   * Herald hub explains errors), or the content type received for {@link Kind#CONTENT_TYPE}.
   */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /** Whether retrying may help. {@link ErrorStrategy#retryUnlessFatal()} retries only these. */
  public boolean isRetryable() {
    return retryable;
  }
}
