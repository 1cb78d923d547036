package io.herald.bench;

import java.net.URI;
import java.util.Objects;

/**
 * A URL or body with placeholders, so one tool drives every peer: {@code {topic}} is the topic
 * name, {@code {data}} the update's payload. Both only ever hold URL-safe characters (see {@link
 * Payload}), so they are inserted as they are, in a query, a path or a form body alike.
 */
final class Template {
  private final String text;

  Template(String text) {
    this.text = Objects.requireNonNull(text, "text");
  }

  /** The text with {@code {topic}} and {@code {data}} replaced. */
  String expand(String topic, String data) {
    return text.replace("{topic}", topic).replace("{data}", data == null ? "" : data);
  }

  /** The URL for {@code topic}, split into what a raw HTTP/1.1 client needs. */
  Endpoint endpoint(String topic) {
    return Endpoint.of(expand(topic, ""));
  }

  @Override
  public String toString() {
    return text;
  }

  /** Where one request goes: host and port to connect to, and the request target. */
  record Endpoint(String host, int port, String target) {
    static Endpoint of(String url) {
      URI uri = URI.create(url);
      if (!"http".equals(uri.getScheme())) {
        throw new IllegalArgumentException("only http:// URLs are supported: " + url);
      }
      int port = uri.getPort() < 0 ? 80 : uri.getPort();
      String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      if (uri.getRawQuery() != null) {
        target += "?" + uri.getRawQuery();
      }
      return new Endpoint(uri.getHost(), port, target);
    }

    String hostHeader() {
      return host + ":" + port;
    }
  }
}
