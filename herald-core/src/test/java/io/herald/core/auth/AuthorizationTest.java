package io.herald.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.topic.TopicMatcher;
import io.herald.core.update.Update;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizationTest {
  private final Authorization auth = new Authorization(new TopicMatcher());

  private static Grants publisher(String... selectors) {
    return new Grants(List.of(selectors), List.of(), null, null);
  }

  @Test
  void everyTopicOfAnUpdateMustBeGrantedToPublish() {
    Grants g = publisher("https://e.com/books/{id}");
    assertThat(auth.canPublish(g, List.of("https://e.com/books/1"))).isTrue();
    assertThat(auth.canPublish(g, List.of("https://e.com/books/1", "https://e.com/secret"))).isFalse();
    assertThat(auth.canPublish(publisher("*"), List.of("anything"))).isTrue();
    assertThat(auth.canPublish(publisher(), List.of("anything"))).isFalse();
  }

  @Test
  void receivingNeedsSelectionAndForPrivateUpdatesAClaim() {
    Update pub = new Update("p", List.of("a", "b"), "d", null, -1, false, 1);
    Update priv = new Update("q", List.of("a", "b"), "d", null, -1, true, 2);
    Grants claimB = new Grants(List.of(), List.of("b"), null, null);
    assertThat(auth.canReceive(List.of("a"), Grants.ANONYMOUS, pub)).isTrue();
    assertThat(auth.canReceive(List.of("c"), Grants.ANONYMOUS, pub)).isFalse();
    assertThat(auth.canReceive(List.of("a"), Grants.ANONYMOUS, priv)).isFalse();
    assertThat(auth.canReceive(List.of("a"), claimB, priv)).isTrue();
    assertThat(auth.canReceive(List.of("c"), claimB, priv)).isFalse();
  }
}
