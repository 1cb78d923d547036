package io.herald.core.update;

/**
 * A publish request that the hub refuses as malformed. The message is a one-line reason fit to be
 * sent back to the publisher with a 400.
 */
public final class InvalidUpdateException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidUpdateException(String reason) {
    super(reason, null, false, false);
  }
}
