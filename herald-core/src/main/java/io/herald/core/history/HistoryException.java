package io.herald.core.history;

/** The history store failed (I/O, disk full, corruption). The message is one line, fit for a 503. */
public final class HistoryException extends Exception {
  private static final long serialVersionUID = 1L;

  public HistoryException(String message) {
    super(message);
  }

  public HistoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
