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

  @Test
  void boundedCachesKeepAnsweringCorrectly() {
    TopicMatcher small = new TopicMatcher(4);
    for (int i = 0; i < 50; i++) {
      String selector = "https://example.com/" + i + "/{id}";
      assertThat(small.matches(selector, "https://example.com/" + i + "/x")).isTrue();
      assertThat(small.matches(selector, "https://example.com/" + i + "/x/y")).isFalse();
    }
  }
}
