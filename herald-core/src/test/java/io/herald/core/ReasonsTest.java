package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ReasonsTest {
  @Test
  void aReasonEndsAtItsFirstLineBreakWhicheverItIs() {
    assertThat(Reasons.oneLine("disk full")).isEqualTo("disk full");
    assertThat(Reasons.oneLine("disk full\nherald: forged")).isEqualTo("disk full");
    assertThat(Reasons.oneLine("disk full\r\nherald: forged")).isEqualTo("disk full");
    assertThat(Reasons.oneLine("disk full\rherald: forged")).isEqualTo("disk full");
    assertThat(Reasons.oneLine("\nonly detail")).isEmpty();
    assertThat(Reasons.oneLine("")).isEmpty();
  }

  @Test
  void aThrowableGivesItsMessagesFirstLineElseItsClassName() {
    assertThat(Reasons.oneLine(new IOException("connection reset\n\tat somewhere"))).isEqualTo("connection reset");
    assertThat(Reasons.oneLine(new IllegalStateException())).isEqualTo("IllegalStateException");
    assertThat(Reasons.oneLine((Throwable) null)).isEqualTo("unknown");
  }
}
