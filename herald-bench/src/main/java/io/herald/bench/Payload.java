package io.herald.bench;

/**
 * The data of one benchmark update: {@code <sequence>-<nanoTime>-<padding>}, only URL-safe
 * characters so it goes unchanged through any URL or form template. The sequence (per topic) lets
 * every subscriber check that it got each update exactly once; the {@link System#nanoTime} at
 * sending gives publish-to-receive latency (publisher and subscribers share one machine clock).
 */
final class Payload {
  private Payload() {}

  /** The data for update {@code sequence}, sent at {@code nanos}, padded to about {@code size} chars. */
  static String encode(long sequence, long nanos, int size) {
    StringBuilder b = new StringBuilder(Math.max(size, 40));
    b.append(sequence).append('-').append(nanos).append('-');
    while (b.length() < size) {
      b.append('x');
    }
    return b.toString();
  }

  /** The sequence of {@code data}, or -1 if it is not a benchmark payload. */
  static long sequence(String data) {
    int dash = data.indexOf('-');
    return dash <= 0 ? -1 : parse(data, 0, dash);
  }

  /** The send time of {@code data}, or -1 if it is not a benchmark payload. */
  static long nanos(String data) {
    int first = data.indexOf('-');
    if (first <= 0) {
      return -1;
    }
    int second = data.indexOf('-', first + 1);
    return parse(data, first + 1, second < 0 ? data.length() : second);
  }

  private static long parse(String s, int from, int to) {
    if (from >= to) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }
}
