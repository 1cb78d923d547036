package io.herald.client.internal;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Query strings and path segments, percent-encoded. */
public final class Urls {
  private Urls() {}

  /** {@code uri} with {@code name=value} pairs appended to its query (fragment dropped). */
  public static URI withQuery(URI uri, List<String[]> parameters) {
    if (parameters.isEmpty()) {
      return uri;
    }
    String s = uri.toString();
    int hash = s.indexOf('#');
    if (hash >= 0) {
      s = s.substring(0, hash);
    }
    StringBuilder b = new StringBuilder(s);
    char separator = uri.getRawQuery() == null ? '?' : '&';
    if (s.endsWith("?")) {
      separator = 0;
    }
    for (String[] p : parameters) {
      if (separator != 0) {
        b.append(separator);
      }
      separator = '&';
      b.append(encode(p[0])).append('=').append(encode(p[1]));
    }
    return URI.create(b.toString());
  }

  /**
   * {@code uri} with every {@code name} parameter of its query removed and {@code name=value}
   * appended (fragment dropped). {@code name} must be unreserved characters only.
   */
  public static URI withReplacedQuery(URI uri, String name, String value) {
    String s = uri.toString();
    int hash = s.indexOf('#');
    if (hash >= 0) {
      s = s.substring(0, hash);
    }
    int question = s.indexOf('?');
    StringBuilder b = new StringBuilder(question < 0 ? s : s.substring(0, question));
    char separator = '?';
    if (question >= 0) {
      for (String pair : s.substring(question + 1).split("&")) {
        if (pair.isEmpty() || pair.equals(name) || pair.startsWith(name + "=")) {
          continue;
        }
        b.append(separator).append(pair);
        separator = '&';
      }
    }
    b.append(separator).append(name).append('=').append(encode(value));
    return URI.create(b.toString());
  }

  /**
   * Percent-encodes {@code s} for a query value or a path segment: everything but unreserved
   * characters, and a space as {@code %20} (not {@code +}, which only form decoders read as a
   * space).
   */
  public static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8)
        .replace("+", "%20")
        .replace("*", "%2A")
        .replace("%7E", "~");
  }

  /** Form encoding ({@code application/x-www-form-urlencoded}): a space is {@code +}. */
  public static String formEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
