package io.herald.core.subscriber;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.auth.Authorization;
import io.herald.core.auth.Grants;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.update.Update;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriberIndexTest {
  record Sub(String name, List<String> selectors, Grants grants) implements Subscription {}

  private static Sub sub(String name, String... selectors) {
    return new Sub(name, List.of(selectors), Grants.ANONYMOUS);
  }

  private static Update update(boolean isPrivate, String... topics) {
    return new Update("u", List.of(topics), "d", null, -1, isPrivate, 1);
  }

  private static List<String> recipients(SubscriberIndex<Sub> index, Update u) {
    List<String> out = new ArrayList<>();
    index.forEachRecipient(u, s -> out.add(s.name()));
    return out;
  }

  @Test
  void exactPatternAndWildcardSelectorsEachMatchOnce() {
    SubscriberIndex<Sub> index = new SubscriberIndex<>(new Authorization(new TopicMatcher()));
    index.add(sub("exact", "https://e.com/books/1"));
    index.add(sub("template", "https://e.com/books/{id}"));
    index.add(sub("any", "*"));
    index.add(sub("both", "https://e.com/books/1", "https://e.com/books/{id}", "https://e.com/other"));
    index.add(sub("other", "https://e.com/other"));
    assertThat(recipients(index, update(false, "https://e.com/books/1", "https://e.com/other")))
        .containsExactlyInAnyOrder("exact", "template", "any", "both", "other");
    assertThat(recipients(index, update(false, "https://e.com/books/2")))
        .containsExactlyInAnyOrder("template", "any", "both");
    assertThat(recipients(index, update(false, "https://e.com/nothing"))).containsExactly("any");
  }

  @Test
  void privateUpdatesNeedAMatchingSubscribeClaimOnAnyTopic() {
    SubscriberIndex<Sub> index = new SubscriberIndex<>(new Authorization(new TopicMatcher()));
    index.add(sub("anonymous", "*"));
    index.add(new Sub("owner", List.of("https://e.com/a"), new Grants(List.of(), List.of("https://e.com/b"), null, null)));
    index.add(new Sub("stranger", List.of("*"), new Grants(List.of(), List.of("https://e.com/z"), null, null)));
    // Selected through topic a, allowed through alternate b.
    assertThat(recipients(index, update(true, "https://e.com/a", "https://e.com/b"))).containsExactly("owner");
  }

  @Test
  void removedSubscribersReceiveNothingAndLeaveNoSelectorsBehind() {
    SubscriberIndex<Sub> index = new SubscriberIndex<>(new Authorization(new TopicMatcher()));
    Sub a = sub("a", "t", "{x}");
    index.add(a);
    index.add(a); // twice: still once
    assertThat(index.size()).isEqualTo(1);
    assertThat(recipients(index, update(false, "t"))).containsExactly("a");
    index.remove(a);
    index.remove(a);
    assertThat(index.isEmpty()).isTrue();
    assertThat(recipients(index, update(false, "t"))).isEmpty();
  }

  @Test
  void liveSubscribersKeepTheirCompiledTemplatesWhateverTheCacheEvicts() {
    TopicMatcher uncached = new TopicMatcher(0); // evicts everything at once
    SubscriberIndex<Sub> index = new SubscriberIndex<>(new Authorization(uncached));
    Sub live = sub("live", "https://e.com/books/{id}", "https://e.com/{a}/{b}");
    index.add(live);
    for (int i = 0; i < 50; i++) {
      assertThat(recipients(index, update(false, "https://e.com/books/" + i))).containsExactly("live");
      assertThat(recipients(index, update(false, "https://e.com/x/" + i))).containsExactly("live");
      assertThat(recipients(index, update(false, "https://e.com/x/y/" + i))).isEmpty();
    }
    assertThat(uncached.templateCacheEntries()).isZero();
    index.remove(live);
    assertThat(recipients(index, update(false, "https://e.com/books/1"))).isEmpty();
    assertThat(index.isEmpty()).isTrue();
  }
}
