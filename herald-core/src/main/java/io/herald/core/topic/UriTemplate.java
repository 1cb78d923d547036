package io.herald.core.topic;

import java.util.regex.Pattern;

/**
 * An RFC 6570 URI template used as a matcher: does a given URI expand from this template with
 * some values? PLACEHOLDER implementation (simple expressions only); being replaced.
 */
public final class UriTemplate {
  private final Pattern pattern;

  private UriTemplate(Pattern pattern) {
    this.pattern = pattern;
  }

  /** Compiles a template. A malformed template compiles to one that matches nothing. */
  public static UriTemplate compile(String template) {
    StringBuilder re = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      if (open < 0) {
        re.append(Pattern.quote(template.substring(i)));
        break;
      }
      re.append(Pattern.quote(template.substring(i, open)));
      int close = template.indexOf('}', open);
      if (close < 0) {
        return new UriTemplate(Pattern.compile("(?!)"));
      }
      re.append("(?:[A-Za-z0-9\\-._~]|%[0-9A-Fa-f]{2})*");
      i = close + 1;
    }
    return new UriTemplate(Pattern.compile(re.toString()));
  }

  /** Whether {@code uri} is an expansion of this template. */
  public boolean matches(String uri) {
    return pattern.matcher(uri).matches();
  }
}
