package io.herald.client.internal;

import java.net.URI;
import java.net.http.HttpRequest;

/** What the JDK's HTTP client accepts as header names and values, checked early. */
public final class Headers {
  private static final URI ANY = URI.create("http://localhost/");

  private Headers() {}

  /**
   * Fails now, with the JDK's own reason, for a header the HTTP client would refuse at the first
   * connection (restricted names such as {@code Host}, control characters...).
   */
  public static void check(String name, String value) {
    try {
      HttpRequest.newBuilder(ANY).header(name, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("header " + name + " cannot be sent: " + e.getMessage(), e);
    }
  }

  /**
   * Whether {@code value} is printable ASCII (space and tab included): the only header values the
   * JDK's HTTP/1.1 client sends unchanged.
   */
  public static boolean isAsciiValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c > 0x7E) {
        return false;
      }
    }
    return true;
  }
}
