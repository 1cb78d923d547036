package io.herald.core.update;

/**
 * An {@link Update} was to be made with a field that could corrupt an event stream (a CR, LF or
 * NUL in its {@code id} or {@code type}). Unchecked: every caller that builds an update from
 * something it did not check itself (a stored record, a shared log's entry) must be ready for it,
 * and publishers get it as {@link InvalidUpdateException} through {@link UpdateRules}. The
 * message is the one-line reason.
 */
public final class UnsafeUpdateException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public UnsafeUpdateException(String reason) {
    super(reason);
  }
}
