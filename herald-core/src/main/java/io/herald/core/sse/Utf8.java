package io.herald.core.sse;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 decoding exactly as the WHATWG Encoding standard defines it, which is what browsers (and
 * so every EventSource) do: one U+FFFD per maximal invalid subsequence.
 *
 * <p>The JDK's decoder differs on some invalid input (it turns an encoded surrogate such as {@code
 * ED A0 80} into one U+FFFD where WHATWG gives three), so invalid input is decoded here; valid
 * input, the overwhelmingly common case, goes to the JDK's fast decoder, which agrees on it.
 */
final class Utf8 {
  private static final char REPLACEMENT = '\uFFFD';

  private Utf8() {}

  /** Decodes {@code bytes[from, to)} as a complete sequence (a truncated tail gives U+FFFD). */
  static String decode(byte[] bytes, int from, int to) {
    if (from == to) {
      return "";
    }
    if (isValid(bytes, from, to)) {
      return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }
    return decodeWithReplacement(bytes, from, to);
  }

  private static boolean isValid(byte[] bytes, int from, int to) {
    int i = from;
    while (i < to) {
      int b = bytes[i] & 0xFF;
      if (b < 0x80) {
        i++;
        continue;
      }
      int needed;
      int lower = 0x80;
      int upper = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        needed = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        needed = 2;
        lower = b == 0xE0 ? 0xA0 : 0x80;
        upper = b == 0xED ? 0x9F : 0xBF;
      } else if (b >= 0xF0 && b <= 0xF4) {
        needed = 3;
        lower = b == 0xF0 ? 0x90 : 0x80;
        upper = b == 0xF4 ? 0x8F : 0xBF;
      } else {
        return false;
      }
      if (i + needed >= to) {
        return false; // truncated at the end
      }
      int second = bytes[i + 1] & 0xFF;
      if (second < lower || second > upper) {
        return false;
      }
      for (int k = 2; k <= needed; k++) {
        int c = bytes[i + k] & 0xFF;
        if (c < 0x80 || c > 0xBF) {
          return false;
        }
      }
      i += needed + 1;
    }
    return true;
  }

  /** The WHATWG "UTF-8 decoder" algorithm, step for step. */
  private static String decodeWithReplacement(byte[] bytes, int from, int to) {
    StringBuilder out = new StringBuilder(to - from);
    int codePoint = 0;
    int bytesSeen = 0;
    int bytesNeeded = 0;
    int lower = 0x80;
    int upper = 0xBF;
    int i = from;
    while (i < to) {
      int b = bytes[i] & 0xFF;
      if (bytesNeeded == 0) {
        i++;
        if (b < 0x80) {
          out.append((char) b);
        } else if (b >= 0xC2 && b <= 0xDF) {
          bytesNeeded = 1;
          codePoint = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
          if (b == 0xE0) {
            lower = 0xA0;
          } else if (b == 0xED) {
            upper = 0x9F;
          }
          bytesNeeded = 2;
          codePoint = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
          if (b == 0xF0) {
            lower = 0x90;
          } else if (b == 0xF4) {
            upper = 0x8F;
          }
          bytesNeeded = 3;
          codePoint = b & 0x07;
        } else {
          out.append(REPLACEMENT);
        }
        continue;
      }
      if (b < lower || b > upper) {
        // The sequence so far is one error; this byte is read again as a possible start.
        codePoint = 0;
        bytesNeeded = 0;
        bytesSeen = 0;
        lower = 0x80;
        upper = 0xBF;
        out.append(REPLACEMENT);
        continue;
      }
      i++;
      lower = 0x80;
      upper = 0xBF;
      codePoint = (codePoint << 6) | (b & 0x3F);
      if (++bytesSeen == bytesNeeded) {
        out.appendCodePoint(codePoint);
        codePoint = 0;
        bytesNeeded = 0;
        bytesSeen = 0;
      }
    }
    if (bytesNeeded != 0) {
      out.append(REPLACEMENT);
    }
    return out.toString();
  }
}
