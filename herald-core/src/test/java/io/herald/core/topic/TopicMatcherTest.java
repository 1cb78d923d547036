package io.herald.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicMatcherTest {
  private final TopicMatcher matcher = new TopicMatcher();

  @Test
  void mercureTopicSelectorCases() {
    assertThat(matcher.matches("https://example.com/{foo}/bar", "https://example.com/foo/bar"))
        .isTrue();
    // Twice: the second answer comes from the result cache and must agree.
    assertThat(matcher.matches("https://example.com/{foo}/bar", "https://example.com/foo/bar"))
        .isTrue();
    assertThat(matcher.matches("https://example.com/{foo}/bar", "https://example.com/foo/bar/baz"))
        .isFalse();
    assertThat(
            matcher.matches(
                "https://example.com/{fistname}/{lastname}", "https://example.com/kevin/dunglas"))
        .isTrue();
    assertThat(matcher.matches("*", "https://example.com/foo/bar")).isTrue();
    assertThat(matcher.matches("https://example.com/foo/bar", "https://example.com/foo/bar"))
        .isTrue();
    assertThat(matcher.matches("foo", "foo")).isTrue();
    assertThat(matcher.matches("foo", "bar")).isFalse();
  }

  @Test
  void protocolExamples() {
    String selector = "https://example.com/books/{id}";
    assertThat(matcher.matches(selector, "https://example.com/books/1")).isTrue();
    assertThat(matcher.matches(selector, "https://example.com/books/1/2")).isFalse();
    assertThat(matcher.matches(selector, "https://example.com/authors/1")).isFalse();
    // Selectors match selectors in authorization checks: a template matches itself.
    assertThat(matcher.matches(selector, selector)).isTrue();
    assertThat(matcher.matches("https://example.com/{+path}", "https://example.com/books/1/2"))
        .isTrue();
  }

  @Test
  void templateMatchingOtherSelectorsFollowsGoSemantics() {
    // Braces are not allowed characters in a value, so a template only matches another
    // template through byte equality.
    assertThat(matcher.matches("https://example.com/{a}", "https://example.com/{b}")).isFalse();
    assertThat(matcher.matches("https://example.com/{+a}", "https://example.com/{b}")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "a{b", "https://example.com/{=x}", "{x y}", "{}", "{x:0}", "{x"})
  void malformedSelectorsNeverThrowAndMatchOnlyThemselves(String selector) {
    assertThatCode(() -> matcher.matches(selector, "anything")).doesNotThrowAnyException();
    assertThat(matcher.matches(selector, "anything")).isFalse();
    assertThat(matcher.matches(selector, selector)).isTrue();
  }

  @Test
  void hugeSelectorNeverThrows() {
    String selector = "{x}".repeat(10_000);
    assertThat(matcher.matches(selector, "a")).isFalse();
    assertThat(matcher.matches(selector, selector)).isTrue();
  }

  @Test
  void matchesAny() {
    List<String> selectors = List.of("https://example.com/a", "https://example.com/books/{id}");
    assertThat(matcher.matchesAny(selectors, "https://example.com/books/7")).isTrue();
    assertThat(matcher.matchesAny(selectors, "https://example.com/a")).isTrue();
    assertThat(matcher.matchesAny(selectors, "https://example.com/b")).isFalse();
    assertThat(matcher.matchesAny(List.of(), "https://example.com/a")).isFalse();
  }

  @Test
  void isExact() {
    assertThat(TopicMatcher.isExact("https://example.com/a")).isTrue();
    assertThat(TopicMatcher.isExact("*")).isFalse();
    assertThat(TopicMatcher.isExact("https://example.com/{id}")).isFalse();
  }

  /** Budget of the small matchers below: half of it per cache. */
  private static final long BUDGET = 1 << 20;

  @Test
  void manyDistinctLongTemplatesNeverWeighMoreThanTheBudgetAndAreEvicted() {
    TopicMatcher small = new TopicMatcher(BUDGET);
    int templates = 2_000; // about 12 KB each weighed: 24 MB offered to a 512 KiB cache
    for (int i = 0; i < templates; i++) {
      String head = "https://example.com/" + i + "/";
      String selector = head + "x".repeat(2000 - head.length() - 5) + "/{id}";
      String base = selector.substring(0, selector.length() - 4);
      assertThat(small.matches(selector, base + "42")).isTrue();
      assertThat(small.matches(selector, base + "4/2")).isFalse();
      assertThat(small.templateCacheWeight()).isLessThanOrEqualTo(BUDGET / 2);
      assertThat(small.resultCacheWeight()).isLessThanOrEqualTo(BUDGET / 2);
    }
    assertThat(small.templateCacheEntries()).isPositive().isLessThan(templates / 10);
    // An evicted template compiles again and still answers right.
    String first = "https://example.com/0/" + "x".repeat(2000 - 22 - 5) + "/{id}";
    assertThat(small.matches(first, first.substring(0, first.length() - 4) + "7")).isTrue();
  }

  @Test
  void manyDistinctLongTopicsNeverWeighMoreThanTheBudgetAndAreEvicted() {
    TopicMatcher small = new TopicMatcher(BUDGET);
    String selector = "https://example.com/{+path}";
    int topics = 2_000; // about 8 KB each weighed: 16 MB offered to a 512 KiB cache
    for (int i = 0; i < topics; i++) {
      String topic = "https://example.com/" + i + "/" + "t".repeat(4000);
      assertThat(small.matches(selector, topic)).isTrue();
      assertThat(small.matches(selector, "https://other.example/" + i + "/" + "t".repeat(4000))).isFalse();
      assertThat(small.resultCacheWeight()).isLessThanOrEqualTo(BUDGET / 2);
      assertThat(small.templateCacheWeight()).isLessThanOrEqualTo(BUDGET / 2);
    }
    assertThat(small.resultCacheEntries()).isPositive().isLessThan(topics / 10);
  }

  @Test
  void aHeldCompiledTemplateAnswersWithoutTheCache() {
    TopicMatcher none = new TopicMatcher(0); // caches nothing at all
    UriTemplate held = none.template("https://example.com/{id}");
    for (int i = 0; i < 100; i++) {
      assertThat(none.matches(held, "https://example.com/" + i)).isTrue();
      assertThat(none.matches(held, "https://example.com/" + i + "/x")).isFalse();
    }
    assertThat(none.templateCacheEntries()).isZero();
    assertThat(none.resultCacheEntries()).isZero();
    assertThat(none.matches("https://example.com/{id}", "https://example.com/1")).isTrue();
  }

  @Test
  void cheapMatchesAreRunAndOnlyCostlyOnesAreCached() {
    TopicMatcher matcher = new TopicMatcher();
    String selector = "https://example.com/books/{id}";
    for (int i = 0; i < 1_000; i++) {
      assertThat(matcher.matches(selector, "https://example.com/books/" + i)).isTrue();
      assertThat(matcher.matches(selector, "https://other.example/books/" + i)).isFalse();
    }
    assertThat(matcher.resultCacheEntries()).isZero();
    assertThat(matcher.templateCacheEntries()).isEqualTo(1);

    String longTopic = "https://example.com/books/" + "x".repeat(3_000);
    assertThat(matcher.matches(selector, longTopic)).isTrue();
    assertThat(matcher.matches(selector, longTopic + "/")).isFalse();
    assertThat(matcher.resultCacheEntries()).isEqualTo(2);
    assertThat(matcher.matches(selector, longTopic)).isTrue();
    assertThat(matcher.matches(selector, longTopic + "/")).isFalse();
  }
}
