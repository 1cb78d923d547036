package io.herald.core.topic;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether a topic selector matches a topic (or, in authorization checks, another
 * selector).
 *
 * <p>A selector matches when it is {@code *}, when it equals the topic byte for byte, or when it
 * is an RFC 6570 URI template that the topic matches. Compiling a template and running it is the
 * costly part, so both the compiled templates and the (selector, topic) results are cached, each
 * in a bounded map: a hub with many subscribers on the same templates pays the match once per
 * distinct topic. The caps stop a client that sends endless distinct selectors from growing the
 * caches without bound; when a cache is full it is cleared and refilled.
 *
 * <p>Thread-safe.
 */
public final class TopicMatcher {
  /** Matches every topic. */
  public static final String ANY = "*";

  private final int maxEntries;
  private final ConcurrentHashMap<String, UriTemplate> templates = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Pair, Boolean> results = new ConcurrentHashMap<>();

  private record Pair(String selector, String topic) {}

  public TopicMatcher() {
    this(100_000);
  }

  public TopicMatcher(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  /** Whether {@code selector} selects {@code topic}. */
  public boolean matches(String selector, String topic) {
    if (selector.equals(ANY) || selector.equals(topic)) {
      return true;
    }
    if (!isTemplate(selector)) {
      return false;
    }
    Pair key = new Pair(selector, topic);
    Boolean cached = results.get(key);
    if (cached != null) {
      return cached;
    }
    boolean matched = template(selector).matches(topic);
    if (results.size() >= maxEntries) {
      results.clear();
    }
    results.put(key, matched);
    return matched;
  }

  /** Whether any of {@code selectors} selects {@code topic}. */
  public boolean matchesAny(Collection<String> selectors, String topic) {
    for (String s : selectors) {
      if (matches(s, topic)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a selector can only ever match one topic, itself. Such selectors are looked up in a
   * hash index instead of being tried against every update.
   */
  public static boolean isExact(String selector) {
    return !selector.equals(ANY) && !isTemplate(selector);
  }

  private static boolean isTemplate(String selector) {
    return selector.indexOf('{') >= 0;
  }

  private UriTemplate template(String selector) {
    UriTemplate t = templates.get(selector);
    if (t == null) {
      if (templates.size() >= maxEntries) {
        templates.clear();
      }
      t = templates.computeIfAbsent(selector, UriTemplate::compile);
    }
    return t;
  }
}
