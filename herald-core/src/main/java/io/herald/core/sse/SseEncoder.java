package io.herald.core.sse;

import io.herald.core.update.Update;
import java.nio.charset.StandardCharsets;

/**
 * Writes updates as {@code text/event-stream} bytes.
 *
 * <p>An update is encoded once, whatever the number of subscribers; the hub then writes the same
 * bytes to each of them.
 *
 * <p>What keeps a publisher from injecting fields or events is guaranteed by {@link Update}
 * itself, for every update however it was made (a publish, the hub's own events, a record read
 * back from a store or from Redis): its {@code id} and {@code type} hold no CR, LF or NUL, so each
 * is written as is on one line, and the only line break its data holds is LF (CRLF and lone CR
 * were made LF when the update was made). The data is split at every LF into one {@code data:}
 * line each, so no data can end a field early or start a new event.
 */
public final class SseEncoder {
  /** A heartbeat: a comment line and the blank line that ends it. */
  private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RETRY = "retry: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NO_BYTES = new byte[0];

  private SseEncoder() {}

  /**
   * The event for {@code update}: {@code event}, {@code retry}, {@code id}, {@code data} lines.
   *
   * <p>Written byte by byte into one array of the exact size: each field is turned into UTF-8
   * once and copied, with no builder growing and no intermediate string (this runs once per
   * update on the dispatch thread). LF is a single byte that never occurs inside a UTF-8
   * multi-byte sequence, so splitting the data's bytes at it splits its lines exactly.
   * Always at least one {@code data:} line, even for empty data, so the event is dispatched by
   * clients (an event with no data line is silently dropped by EventSource).
   */
  public static byte[] encode(Update update) {
    byte[] type = update.type() == null ? null : update.type().getBytes(StandardCharsets.UTF_8);
    byte[] retry = update.retry() >= 0 ? Long.toString(update.retry()).getBytes(StandardCharsets.US_ASCII) : null;
    byte[] id = update.id().getBytes(StandardCharsets.UTF_8);
    byte[] data = update.data() == null ? NO_BYTES : update.data().getBytes(StandardCharsets.UTF_8);

    int lineBreaks = 0;
    for (byte b : data) {
      if (b == '\n') {
        lineBreaks++;
      }
    }
    int size = (type == null ? 0 : EVENT.length + type.length + 1)
        + (retry == null ? 0 : RETRY.length + retry.length + 1)
        + ID.length + id.length + 1
        + (lineBreaks + 1) * (DATA.length + 1) + data.length - lineBreaks
        + 1;
    byte[] out = new byte[size];
    int n = 0;
    if (type != null) {
      n = field(out, n, EVENT, type);
    }
    if (retry != null) {
      n = field(out, n, RETRY, retry);
    }
    n = field(out, n, ID, id);
    n = put(out, n, DATA);
    int lineStart = 0;
    for (int i = 0; i < data.length; i++) {
      if (data[i] == '\n') {
        System.arraycopy(data, lineStart, out, n, i - lineStart);
        n += i - lineStart;
        out[n++] = '\n';
        n = put(out, n, DATA);
        lineStart = i + 1;
      }
    }
    System.arraycopy(data, lineStart, out, n, data.length - lineStart);
    n += data.length - lineStart;
    out[n++] = '\n';
    out[n++] = '\n';
    assert n == size;
    return out;
  }

  private static int field(byte[] out, int n, byte[] name, byte[] value) {
    n = put(out, n, name);
    n = put(out, n, value);
    out[n++] = '\n';
    return n;
  }

  private static int put(byte[] out, int n, byte[] bytes) {
    System.arraycopy(bytes, 0, out, n, bytes.length);
    return n + bytes.length;
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
}
