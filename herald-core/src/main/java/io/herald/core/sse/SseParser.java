package io.herald.core.sse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A streaming, byte-level {@code text/event-stream} parser following the WHATWG rules (see
 * {@code docs/sse-parsing.md}): one parser for the Java client, the CLI and the load tool.
 *
 * <p>Feed it bytes in chunks of any size, split anywhere: a CRLF, a BOM or a multi-byte UTF-8
 * character split across two chunks is handled as if it had arrived whole. It works on bytes and
 * decodes UTF-8 only for completed field values. This is equivalent to decoding the stream first
 * (as the specification describes) because every byte the grammar cares about (CR, LF, {@code :},
 * space) is ASCII and can never be part of a multi-byte sequence; invalid bytes become U+FFFD.
 *
 * <p>Memory is bounded: the parser holds at most the current line and the current event's data,
 * and throws {@link SseLimitExceededException} when a line exceeds {@code maxLineBytes} or an
 * event's data exceeds {@code maxEventBytes}.
 *
 * <p>Callbacks run synchronously inside {@link #feed}. Not thread-safe: one parser per stream,
 * fed by one thread at a time.
 */
public final class SseParser {
  /** Default cap on one line: 1 MiB. */
  public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
  /** Default cap on one event's data: 4 MiB. */
  public static final int DEFAULT_MAX_EVENT_BYTES = 4 << 20;

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte COLON = ':';
  private static final byte SPACE = ' ';
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  private static final byte[] DATA = ascii("data");
  private static final byte[] DATA_FIELD = ascii("data:");
  private static final byte[] EVENT = ascii("event");
  private static final byte[] ID = ascii("id");
  private static final byte[] RETRY = ascii("retry");
  /** Buffers that grew past this are dropped after each event, so one huge event is not kept. */
  private static final int KEEP_BUFFER_BYTES = 64 * 1024;
  private static final int INITIAL_BUFFER_BYTES = 256;
  /** Used to copy direct buffers, which have no backing array. */
  private static final int COPY_CHUNK = 8 * 1024;

  private final SseHandler handler;
  private final int maxLineBytes;
  private final int maxEventBytes;

  private byte[] line = new byte[INITIAL_BUFFER_BYTES];
  private int lineLength;
  private byte[] data = new byte[INITIAL_BUFFER_BYTES];
  private int dataLength;
  /** The event type buffer; empty means the default type. */
  private String eventType = "";
  /** The last event ID buffer: set by {@code id} fields, committed at dispatch. */
  private String idBuffer = "";
  /** The committed last event ID. */
  private String lastEventId = "";
  /** A valid {@code retry} read in the current block, or -1. */
  private long blockRetry = -1;
  /** How many BOM bytes matched at the start of the stream so far; -1 once the check is over. */
  private int bomMatched;
  /** The previous chunk ended with CR: a LF starting this one belongs to the same line ending. */
  private boolean skipLineFeed;

  /** A parser with the default limits. */
  public SseParser(SseHandler handler) {
    this(handler, DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_EVENT_BYTES);
  }

  /**
   * A parser with explicit limits.
   *
   * @param maxLineBytes the longest line accepted, in bytes, line ending excluded
   * @param maxEventBytes the most data one event may hold, in bytes (sum of its data values plus
   *     one byte per data line)
   */
  public SseParser(SseHandler handler, int maxLineBytes, int maxEventBytes) {
    this.handler = Objects.requireNonNull(handler, "handler");
    if (maxLineBytes < 1 || maxEventBytes < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    this.maxLineBytes = maxLineBytes;
    this.maxEventBytes = maxEventBytes;
  }

  /**
   * Parses {@code length} bytes of {@code bytes} from {@code offset}, dispatching to the handler
   * whatever they complete. The array is not kept.
   *
   * @throws SseLimitExceededException when a line or an event grows past its limit
   */
  public void feed(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    int i = offset;
    int end = offset + length;
    if (bomMatched >= 0) {
      i = skipBom(bytes, i, end);
    }
    while (i < end) {
      if (skipLineFeed) {
        skipLineFeed = false;
        if (bytes[i] == LF) {
          i++;
          continue;
        }
      }
      int j = i;
      while (j < end && bytes[j] != LF && bytes[j] != CR) {
        j++;
      }
      appendToLine(bytes, i, j - i);
      if (j == end) {
        return;
      }
      // A CR ends the line now (no waiting for the next chunk); a LF right after it is skipped.
      skipLineFeed = bytes[j] == CR;
      i = j + 1;
      completeLine();
    }
  }

  /** Parses all of {@code bytes}. */
  public void feed(byte[] bytes) {
    feed(bytes, 0, bytes.length);
  }

  /**
   * Parses the remaining bytes of {@code buffer} (heap or direct), leaving its position at its
   * limit.
   */
  public void feed(ByteBuffer buffer) {
    if (buffer.hasArray()) {
      feed(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
      buffer.position(buffer.limit());
      return;
    }
    byte[] copy = new byte[Math.min(COPY_CHUNK, buffer.remaining())];
    while (buffer.hasRemaining()) {
      int n = Math.min(copy.length, buffer.remaining());
      buffer.get(copy, 0, n);
      feed(copy, 0, n);
    }
  }

  /**
   * Ends the current stream: an incomplete line or event is dropped and an {@code id} it carried
   * is not committed. The parser is then ready for a new stream (a new connection): a leading BOM
   * will be dropped again. The committed last event ID is kept, so events of the new stream that
   * carry no {@code id} still report it (as Chromium does).
   */
  public void endOfStream() {
    lineLength = 0;
    resetEvent();
    idBuffer = lastEventId;
    bomMatched = 0;
    skipLineFeed = false;
  }

  /** The committed last event ID: what a client sends as {@code Last-Event-ID}; empty if none. */
  public String lastEventId() {
    return lastEventId;
  }

  /**
   * Sets the last event ID, e.g. to resume from a position saved earlier. Events that carry no
   * {@code id} report it.
   */
  public void lastEventId(String id) {
    lastEventId = Objects.requireNonNull(id, "id");
    idBuffer = id;
  }

  /** The largest line accepted, in bytes. */
  public int maxLineBytes() {
    return maxLineBytes;
  }

  /** The most data one event may hold, in bytes. */
  public int maxEventBytes() {
    return maxEventBytes;
  }

  /**
   * Consumes the bytes of a leading BOM, possibly split over several chunks. When the stream turns
   * out not to start with one, the bytes held back so far are ordinary text (they cannot be CR or
   * LF, so they simply start the first line).
   */
  private int skipBom(byte[] bytes, int i, int end) {
    while (i < end) {
      if (bytes[i] != BOM[bomMatched]) {
        int held = bomMatched;
        bomMatched = -1;
        appendToLine(BOM, 0, held);
        return i;
      }
      i++;
      if (++bomMatched == BOM.length) {
        bomMatched = -1;
        return i;
      }
    }
    return i;
  }

  private void appendToLine(byte[] bytes, int offset, int length) {
    if (length == 0) {
      return;
    }
    int newLength = lineLength + length;
    if (newLength > maxLineBytes) {
      fail(SseLimitExceededException.Limit.LINE, maxLineBytes);
    }
    // A data line will join the event's data: refuse it as soon as it cannot fit. Its value is
    // at least the line minus "data: ", plus the LF it adds.
    if (dataLength + newLength - DATA_FIELD.length > maxEventBytes
        && newLength >= DATA_FIELD.length
        && startsWith(line, lineLength, bytes, offset, DATA_FIELD)) {
      fail(SseLimitExceededException.Limit.EVENT, maxEventBytes);
    }
    line = ensureCapacity(line, newLength, maxLineBytes);
    System.arraycopy(bytes, offset, line, lineLength, length);
    lineLength = newLength;
  }

  /** Whether the line being built (existing bytes, then new ones) starts with {@code prefix}. */
  private static boolean startsWith(
      byte[] line, int lineLength, byte[] next, int nextOffset, byte[] prefix) {
    for (int k = 0; k < prefix.length; k++) {
      byte b;
      if (k < lineLength) {
        b = line[k];
      } else {
        b = next[nextOffset + k - lineLength];
      }
      if (b != prefix[k]) {
        return false;
      }
    }
    return true;
  }

  private void fail(SseLimitExceededException.Limit limit, int max) {
    lineLength = 0;
    resetEvent();
    throw new SseLimitExceededException(limit, max);
  }

  private void completeLine() {
    int n = lineLength;
    lineLength = 0;
    if (n == 0) {
      dispatch();
      return;
    }
    byte[] l = line;
    if (l[0] == COLON) {
      int start = n > 1 && l[1] == SPACE ? 2 : 1;
      handler.onComment(decode(l, start, n));
      return;
    }
    int colon = indexOf(l, COLON, n);
    int nameEnd = colon < 0 ? n : colon;
    int valueStart = colon < 0 ? n : colon + 1;
    if (valueStart < n && l[valueStart] == SPACE) {
      valueStart++;
    }
    if (nameIs(l, nameEnd, DATA)) {
      appendData(l, valueStart, n);
    } else if (nameIs(l, nameEnd, EVENT)) {
      eventType = decode(l, valueStart, n);
    } else if (nameIs(l, nameEnd, ID)) {
      // An ID holding NUL is ignored: browsers do so, and resuming from it would be unsafe.
      if (indexOf(l, (byte) 0, valueStart, n) < 0) {
        idBuffer = decode(l, valueStart, n);
      }
    } else if (nameIs(l, nameEnd, RETRY)) {
      long retry = parseDigits(l, valueStart, n);
      if (retry >= 0) {
        blockRetry = retry;
        handler.onRetry(retry);
      }
    }
    // Any other field name is ignored.
  }

  private void appendData(byte[] l, int from, int to) {
    int length = to - from;
    int newLength = dataLength + length + 1;
    if (newLength > maxEventBytes) {
      fail(SseLimitExceededException.Limit.EVENT, maxEventBytes);
    }
    data = ensureCapacity(data, newLength, maxEventBytes);
    System.arraycopy(l, from, data, dataLength, length);
    data[newLength - 1] = LF;
    dataLength = newLength;
  }

  private void dispatch() {
    lastEventId = idBuffer;
    if (dataLength == 0) {
      resetEvent();
      return;
    }
    // Decoding the joined bytes equals joining decoded lines: LF never belongs to a sequence.
    String text = decode(data, 0, dataLength - 1);
    SseEvent event =
        new SseEvent(
            lastEventId, eventType.isEmpty() ? SseEvent.DEFAULT_TYPE : eventType, text, blockRetry);
    resetEvent();
    handler.onEvent(event);
  }

  private void resetEvent() {
    dataLength = 0;
    eventType = "";
    blockRetry = -1;
    if (data.length > KEEP_BUFFER_BYTES) {
      data = new byte[INITIAL_BUFFER_BYTES];
    }
    if (line.length > KEEP_BUFFER_BYTES && lineLength == 0) {
      line = new byte[INITIAL_BUFFER_BYTES];
    }
  }

  /** The value as a non-negative number if it is one or more ASCII digits, else -1. */
  private static long parseDigits(byte[] l, int from, int to) {
    if (from == to) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = l[i] - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      value = value > (Long.MAX_VALUE - digit) / 10 ? Long.MAX_VALUE : value * 10 + digit;
    }
    return value;
  }

  private static boolean nameIs(byte[] l, int nameLength, byte[] name) {
    if (nameLength != name.length) {
      return false;
    }
    for (int i = 0; i < nameLength; i++) {
      if (l[i] != name[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] l, byte b, int length) {
    return indexOf(l, b, 0, length);
  }

  private static int indexOf(byte[] l, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (l[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** UTF-8 with U+FFFD for each maximal invalid subsequence, as the WHATWG decoder does. */
  private static String decode(byte[] bytes, int from, int to) {
    return Utf8.decode(bytes, from, to);
  }

  private static byte[] ensureCapacity(byte[] buffer, int needed, int max) {
    if (needed <= buffer.length) {
      return buffer;
    }
    int size = (int) Math.min(Math.max((long) buffer.length * 2, needed), max);
    byte[] bigger = new byte[size];
    System.arraycopy(buffer, 0, bigger, 0, buffer.length);
    return bigger;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
