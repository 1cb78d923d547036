package io.herald.hub.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Decodes query strings and form bodies, refusing malformed percent-escapes and more than {@link
 * #MAX_PARAMS} parameters with a reason: a request is decoded whole or not at all.
 */
public final class Query {
  /** Cap on parameters per query or form: decoding cost must stay bounded per request. */
  public static final int MAX_PARAMS = 1024;

  private Query() {}

  /** The request URI's path, decoded. */
  public static String path(String uri) {
    return new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, MAX_PARAMS).path();
  }

  /**
   * The query parameters of a request URI.
   *
   * @throws IllegalArgumentException with a one-line reason on a malformed escape
   */
  public static Map<String, List<String>> params(String uri) {
    return decode(uri, true);
  }

  /**
   * The fields of an {@code application/x-www-form-urlencoded} body.
   *
   * @throws IllegalArgumentException with a one-line reason on a malformed escape
   */
  public static Map<String, List<String>> form(String body) {
    return decode(body, false);
  }

  /**
   * Decodes at most {@link #MAX_PARAMS} parameters and refuses more. Netty's decoder silently
   * stops at its cap; a request decoded only in part could lose a field that matters (a
   * {@code private=on} after many others would publish a private update publicly, a {@code topic}
   * would be ignored), so it decodes one more than the cap and any request reaching it is refused.
   */
  private static Map<String, List<String>> decode(String s, boolean hasPath) {
    Map<String, List<String>> params;
    try {
      // ';' is an ordinary character: topics are URLs and may contain it (matrix parameters).
      params = QueryStringDecoder.builder()
          .hasPath(hasPath)
          .charset(StandardCharsets.UTF_8)
          .maxParams(MAX_PARAMS + 1)
          .semicolonIsNormalChar(true)
          .build(s)
          .parameters();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed percent-encoding");
    }
    int count = 0;
    for (List<String> values : params.values()) {
      count += values.size();
    }
    if (count > MAX_PARAMS) {
      throw new IllegalArgumentException(
          "too many parameters: at most " + MAX_PARAMS + " per query or form");
    }
    return params;
  }

  /** The first value of a parameter, or {@code null}. */
  public static String first(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
