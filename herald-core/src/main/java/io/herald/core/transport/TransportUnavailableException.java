package io.herald.core.transport;

/**
 * The transport could not store an update (history failure, shared log unreachable, shutting
 * down). Publishers get a 503 with this one-line message; the update was not accepted.
 */
public final class TransportUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TransportUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
