package io.herald.core.topic;

/**
 * The cap on how long a topic or a topic selector may be, in UTF-8 bytes.
 *
 * <p>Why a cap: every selector a subscriber sends is compiled and held while it stays, and every
 * topic is matched against every live template and kept in the match cache, so their length is
 * what one request can make the hub hold and do. Real topics are URLs, which stay under about
 * 2 KB in the wild (browsers, CDNs and sitemaps cap them near there), so the default of 4 KiB is
 * twice what any real one needs. The hub refuses longer ones with a 400 and a reason naming the
 * cap, on publish (every topic, alternates too) and on subscribe alike.
 */
public final class TopicLength {
  /** Default cap, in UTF-8 bytes. */
  public static final int DEFAULT_MAX_BYTES = 4096;

  private TopicLength() {}

  /** Whether {@code s} encodes to more than {@code maxBytes} bytes of UTF-8 (counted, not encoded). */
  public static boolean exceeds(String s, int maxBytes) {
    if (s.length() > maxBytes) {
      return true; // every char is at least one byte
    }
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3; // other BMP chars; a lone surrogate is encoded as a 3-byte replacement
      }
      if (bytes > maxBytes) {
        return true;
      }
    }
    return false;
  }

  /** The one-line reason a request gets when {@code what} ("topic", "selector") is too long. */
  public static String refusal(String what, int maxBytes) {
    return what + " longer than " + maxBytes + " bytes";
  }
}
