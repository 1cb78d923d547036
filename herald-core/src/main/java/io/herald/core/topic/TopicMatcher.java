package io.herald.core.topic;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Collection;

/**
 * Decides whether a topic selector matches a topic (or, in authorization checks, another
 * selector).
 *
 * <p>A selector matches when it is {@code *}, when it equals the topic byte for byte, or when it
 * is an RFC 6570 URI template that the topic matches. Compiling a template and running it is the
 * costly part, so the compiled templates are cached, and so are the (selector, topic) results of
 * the matches that cost more than a cache visit (long templates against long topics): a hub with
 * many subscribers on the same templates pays such a match once per distinct topic. Cheap matches
 * (most are decided by the template's literal prefix) are run each time, which is faster than the
 * cache and keeps it for the results that are worth it.
 *
 * <p><b>Memory rule.</b> Selectors and topics come from untrusted clients, so both caches are
 * bounded in <em>bytes</em>, not entries: each entry is weighed by the heap it keeps reachable
 * (strings at 2 bytes a character, a compiled template by {@link UriTemplate#retainedBytes()},
 * plus the cache's own per-entry overhead), and past the budget the least valuable entries are
 * evicted (Caffeine's size-based policy), never the whole cache at once. A flood of one-off
 * selectors or topics therefore evicts only cold entries, and when a subscriber leaves nothing of
 * its selectors stays beyond these budgets. A live subscriber does not depend on the cache: its
 * index entry holds its compiled template (see {@code SubscriberIndex}), so eviction never makes
 * it recompile per update.
 *
 * <p>Thread-safe. Evictions run on the calling thread (no background executor), so the weighed
 * size is back under the budget when a call returns.
 */
public final class TopicMatcher {
  /** Matches every topic. */
  public static final String ANY = "*";

  /**
   * Default budget of both caches together, halved between them. 8 MiB of compiled templates is
   * about 1,500 templates of 1 KiB (or tens of thousands of typical 100-character ones) beyond
   * those live subscribers hold; 8 MiB of results is about 20,000 pairs of 100-character strings.
   * That covers the hot set of any real hub, costs a 256 MiB heap about 6%, and still fits a
   * small test hub.
   */
  public static final long DEFAULT_CACHE_BYTES = 16L << 20;

  /**
   * What one entry costs besides its key and value: Caffeine's node (key, value, weight, links
   * for the eviction policy) and the hash table's node and slot.
   */
  static final int ENTRY_OVERHEAD = 96;
  /**
   * Matches that take at most this many steps ({@link UriTemplate#matchCost}) are run rather than
   * cached: a cache look-up, and an insert that may evict, cost about as much as a few thousand
   * steps of the program, and caching cheap results would let the (selector, topic) pairs of a
   * busy hub churn the cache that the costly ones (long templates against long topics, which an
   * attacker would pick) need. A typical 60-character template against a 60-character topic is
   * far below it; most mismatches cost one step (the literal prefix decides).
   */
  static final long CACHE_WORTHY_COST = 4096;
  /** A {@link Pair}: header and two references. */
  private static final int PAIR_BYTES = 24;

  private final long cacheBytes;
  private final Cache<String, UriTemplate> templates;
  private final Cache<Pair, Boolean> results;

  private record Pair(String selector, String topic) {}

  /** A matcher with {@link #DEFAULT_CACHE_BYTES}. */
  public TopicMatcher() {
    this(DEFAULT_CACHE_BYTES);
  }

  /** A matcher whose two caches together weigh at most {@code cacheBytes}, half each. */
  public TopicMatcher(long cacheBytes) {
    if (cacheBytes < 0) {
      throw new IllegalArgumentException("cacheBytes must not be negative");
    }
    this.cacheBytes = cacheBytes;
    this.templates = Caffeine.newBuilder()
        .maximumWeight(cacheBytes / 2)
        .weigher((String selector, UriTemplate t) -> ENTRY_OVERHEAD + t.retainedBytes())
        .executor(Runnable::run)
        .build();
    this.results = Caffeine.newBuilder()
        .maximumWeight(cacheBytes / 2)
        .weigher((Pair p, Boolean matched) ->
            saturated(ENTRY_OVERHEAD + PAIR_BYTES + stringBytes(p.selector) + stringBytes(p.topic)))
        .executor(Runnable::run)
        .build();
  }

  /** Whether {@code selector} selects {@code topic}. */
  public boolean matches(String selector, String topic) {
    if (selector.equals(ANY) || selector.equals(topic)) {
      return true;
    }
    if (!isTemplate(selector)) {
      return false;
    }
    return matches(template(selector), topic);
  }

  /**
   * Whether the already compiled {@code template} selects {@code topic}: the path of callers that
   * hold the compiled form (a live subscriber's index entry). Shares the result cache with
   * {@link #matches(String, String)}; only costly matches are cached ({@link #CACHE_WORTHY_COST}).
   */
  public boolean matches(UriTemplate template, String topic) {
    String selector = template.template();
    if (selector.equals(topic)) {
      return true;
    }
    if (template.matchCost(topic) <= CACHE_WORTHY_COST) {
      return template.matches(topic);
    }
    Pair key = new Pair(selector, topic);
    Boolean cached = results.getIfPresent(key);
    if (cached != null) {
      return cached;
    }
    boolean matched = template.matches(topic);
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
   * The compiled form of a template selector (one containing an opening brace), from the cache or
   * compiled now and cached. A caller that keeps the result for as long as it needs it (see
   * {@link #matches(UriTemplate, String)}) never compiles again, whatever the cache evicts.
   */
  public UriTemplate template(String selector) {
    return templates.get(selector, UriTemplate::compile);
  }

  /**
   * Whether a selector can only ever match one topic, itself. Such selectors are looked up in a
   * hash index instead of being tried against every update.
   */
  public static boolean isExact(String selector) {
    return !selector.equals(ANY) && !isTemplate(selector);
  }

  /** Whether a selector is a URI template (as opposed to {@code *} or an exact topic). */
  public static boolean isTemplate(String selector) {
    return selector.indexOf('{') >= 0;
  }

  /** The budget of both caches together, in bytes. */
  public long cacheBytes() {
    return cacheBytes;
  }

  /** What the compiled-template cache weighs now, in bytes. */
  public long templateCacheWeight() {
    return templates.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /** What the (selector, topic) result cache weighs now, in bytes. */
  public long resultCacheWeight() {
    return results.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /** Compiled templates cached now. */
  public long templateCacheEntries() {
    return templates.estimatedSize();
  }

  /** Results cached now. */
  public long resultCacheEntries() {
    return results.estimatedSize();
  }

  /** A String's header, value array header, and 2 bytes a character (the most it can take). */
  static long stringBytes(String s) {
    return 40L + 2L * s.length();
  }

  private static int saturated(long bytes) {
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }
}
