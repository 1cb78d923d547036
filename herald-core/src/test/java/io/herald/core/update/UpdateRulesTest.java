package io.herald.core.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class UpdateRulesTest {
  private final UpdateRules rules = new UpdateRules(3);

  @Test
  void buildsAnUpdateAndGeneratesAnIdWhenNoneIsGiven() throws Exception {
    Update u = rules.validate(List.of("a", "b"), "data", null, "kind", "1500", true);
    assertThat(u.id()).startsWith("urn:uuid:");
    assertThat(u.topic()).isEqualTo("a");
    assertThat(u.topics()).containsExactly("a", "b");
    assertThat(u.type()).isEqualTo("kind");
    assertThat(u.retry()).isEqualTo(1500);
    assertThat(u.isPrivate()).isTrue();
    assertThat(rules.validate(List.of("a"), null, "mine", "", "", false).id()).isEqualTo("mine");
  }

  @Test
  void refusesWhatCouldCorruptAStream() {
    assertRefused(List.of("a"), "#x", null, null, "must not start with #");
    assertRefused(List.of("a"), "x\ny", null, null, "\"id\" must not contain");
    assertRefused(List.of("a"), "x\ry", null, null, "\"id\" must not contain");
    assertRefused(List.of("a"), "x\0y", null, null, "\"id\" must not contain");
    assertRefused(List.of("a"), null, "t\n", null, "\"type\" must not contain");
    assertRefused(List.of("a"), null, null, "-1", "\"retry\"");
    assertRefused(List.of("a"), null, null, "9".repeat(30), "\"retry\"");
    assertRefused(List.of(), null, null, null, "missing \"topic\"");
    assertRefused(List.of(""), null, null, null, "empty \"topic\"");
    assertRefused(List.of("a", "b", "c", "d"), null, null, null, "too many topics");
    assertRefused(List.of("/.well-known/mercure"), null, null, null, "reserved");
    assertRefused(List.of("ok", "/.well-known/mercure/subscriptions/x/y"), null, null, null, "reserved");
  }

  @Test
  void onlyTheHubNamespaceIsReserved() {
    assertThat(UpdateRules.isReserved("/.well-known/mercure/x")).isTrue();
    assertThat(UpdateRules.isReserved("/.well-known/mercurey")).isFalse();
    assertThat(UpdateRules.isReserved("https://example.com/.well-known/mercure")).isFalse();
  }

  private void assertRefused(List<String> topics, String id, String type, String retry, String reason) {
    assertThatThrownBy(() -> rules.validate(topics, "d", id, type, retry, false))
        .isInstanceOf(InvalidUpdateException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void topicsLongerThanTheCapAreRefusedAlternatesToo() throws Exception {
    UpdateRules capped = new UpdateRules(3, 100);
    assertThat(capped.validate(List.of("a".repeat(100)), "d", null, null, null, false).topic())
        .hasSize(100);
    // Counted in UTF-8 bytes: 50 two-byte characters fit, 51 do not.
    assertThat(capped.validate(List.of("é".repeat(50)), "d", null, null, null, false)).isNotNull();
    for (List<String> topics : List.of(List.of("a".repeat(101)), List.of("é".repeat(51)),
        List.of("ok", "b".repeat(101)))) {
      assertThatThrownBy(() -> capped.validate(topics, "d", null, null, null, false))
          .isInstanceOf(InvalidUpdateException.class)
          .hasMessage("topic longer than 100 bytes");
    }
    assertThatThrownBy(() -> rules.validate(List.of("t".repeat(4097)), "d", null, null, null, false))
        .hasMessage("topic longer than 4096 bytes");
  }
}
