package io.herald.core;

/**
 * Turns a failure into the one-line reason Herald shows: in a {@code text/plain} response body, a
 * status line of the command line, a log line.
 *
 * <p>Why one line: a reason often carries text Herald did not write (an exception message from
 * a library, a path, a peer's answer). A line break in it would split the log line or the status
 * line in two, and whoever controls that text could then forge a line of their own (a fake log
 * record, a fake {@code herald:} status). So a reason ends at its first line break, CR or LF: the
 * first line is the summary, what follows is detail the cause (logged with its stack) still holds.
 */
public final class Reasons {
  private Reasons() {}

  /**
   * The first line of {@code e}'s message, or its class's simple name when it has no message;
   * {@code "unknown"} for no throwable at all.
   */
  public static String oneLine(Throwable e) {
    if (e == null) {
      return "unknown";
    }
    String m = e.getMessage();
    return oneLine(m == null ? e.getClass().getSimpleName() : m);
  }

  /** {@code text} up to its first line break (CR or LF), or all of it when it has none. */
  public static String oneLine(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        return text.substring(0, i);
      }
    }
    return text;
  }
}
