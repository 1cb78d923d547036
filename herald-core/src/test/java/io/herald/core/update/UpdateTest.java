package io.herald.core.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** An update is safe by construction, whoever makes it (not only a publish through UpdateRules). */
class UpdateTest {
  private static Update update(String id, String data, String type) {
    return new Update(id, List.of("t"), data, type, -1, false, 7);
  }

  @Test
  void noUpdateCanHoldALineBreakOrNulInItsIdOrType() {
    for (String bad : List.of("a\nb", "a\rb", "a\r\nb", "a\0b", "\n", "id\n\ndata: forged")) {
      assertThatThrownBy(() -> update(bad, "d", null))
          .isInstanceOf(UnsafeUpdateException.class)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("\"id\" must not contain CR, LF or NUL");
      assertThatThrownBy(() -> update("ok", "d", bad))
          .isInstanceOf(UnsafeUpdateException.class)
          .hasMessage("\"type\" must not contain CR, LF or NUL");
    }
    assertThat(update("urn:uuid:1 é ✓", "d", "kind").type()).isEqualTo("kind");
  }

  @Test
  void dataLineBreaksAreAllLfOnceMade() {
    assertThat(update("i", "a\r\nb\rc\nd\r", null).data()).isEqualTo("a\nb\nc\nd\n");
    assertThat(update("i", "\r\r\n\n", null).data()).isEqualTo("\n\n\n");
    assertThat(update("i", "no breaks é", null).data()).isEqualTo("no breaks é");
    assertThat(update("i", null, null).data()).isNull();
    assertThat(update("i", "a\r\nb", null).withSequence(9).data()).isEqualTo("a\nb");
  }

  /**
   * A retry that sends CRLF where the first publish sent LF (or the reverse) is the same publish
   * (an idempotent retry, not a conflict): subscribers would get the very same event.
   */
  @Test
  void crlfAndLfDataAreTheSameContent() {
    Update lf = update("i", "one\ntwo", "kind");
    assertThat(update("i", "one\r\ntwo", "kind").sameContent(lf)).isTrue();
    assertThat(update("i", "one\rtwo", "kind").sameContent(lf)).isTrue();
    assertThat(update("i", "one\n\ntwo", "kind").sameContent(lf)).isFalse();
  }
}
