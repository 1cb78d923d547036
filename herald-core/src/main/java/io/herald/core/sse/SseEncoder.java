package io.herald.core.sse;

import io.herald.core.update.Update;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes updates as {@code text/event-stream} bytes.
 *
 * <p>An update is encoded once, whatever the number of subscribers; the hub then writes the same
 * bytes to each of them. {@code id} and {@code type} are known to hold no CR, LF or NUL (see
 * {@link io.herald.core.update.UpdateRules}); the data is split at every CR, LF or CRLF into one
 * {@code data:} line each, so no data can end a field early or start a new event.
 */
public final class SseEncoder {
  /** A heartbeat: a comment line and the blank line that ends it. */
  private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

  private SseEncoder() {}

  /** The event for {@code update}: {@code event}, {@code retry}, {@code id}, {@code data} lines. */
  public static byte[] encode(Update update) {
    StringBuilder b = new StringBuilder(64 + (update.data() == null ? 0 : update.data().length()));
    if (update.type() != null) {
      b.append("event: ").append(update.type()).append('\n');
    }
    if (update.retry() >= 0) {
      b.append("retry: ").append(update.retry()).append('\n');
    }
    b.append("id: ").append(update.id()).append('\n');
    appendData(b, update.data());
    b.append('\n');
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Appends {@code data:} lines. Always at least one, even for empty data, so the event is
   * dispatched by clients (an event with no data line is silently dropped by EventSource).
   */
  private static void appendData(StringBuilder b, String data) {
    b.append("data: ");
    if (data != null) {
      for (int i = 0; i < data.length(); i++) {
        char c = data.charAt(i);
        if (c == '\r') {
          if (i + 1 < data.length() && data.charAt(i + 1) == '\n') {
            i++;
          }
          b.append("\ndata: ");
        } else if (c == '\n') {
          b.append("\ndata: ");
        } else {
          b.append(c);
        }
      }
    }
    b.append('\n');
  }

  /** A {@code retry:} field on its own (sent with no event; used to steer reconnection). */
  public static byte[] retry(long millis) {
    return ("retry: " + millis + "\n\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** A heartbeat comment. The returned array is shared: do not modify it. */
  public static byte[] heartbeat() {
    return HEARTBEAT;
  }

  /** A comment line ({@code : text}); CR and LF in {@code text} become spaces. */
  public static byte[] comment(String text) {
    return (": " + text.replace('\r', ' ').replace('\n', ' ') + "\n\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Convenience for tests and tools: all events of several updates concatenated. */
  public static byte[] encodeAll(Iterable<Update> updates) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Update u : updates) {
      out.writeBytes(encode(u));
    }
    return out.toByteArray();
  }
}
