package io.herald.core.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.update.Update;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEncoderTest {
  private static String encode(Update u) {
    return new String(SseEncoder.encode(u), StandardCharsets.UTF_8);
  }

  @Test
  void writesEveryFieldAndOneDataLinePerLine() {
    Update u = new Update("i1", List.of("t"), "a\r\nb\rc\nd", "kind", 2500, false, 1);
    assertThat(encode(u)).isEqualTo("event: kind\nretry: 2500\nid: i1\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
  }

  @Test
  void emptyOrMissingDataIsStillOneDataLine() {
    assertThat(encode(new Update("i", List.of("t"), null, null, -1, false, 1))).isEqualTo("id: i\ndata: \n\n");
    assertThat(encode(new Update("i", List.of("t"), "", null, -1, false, 1))).isEqualTo("id: i\ndata: \n\n");
  }

  @Test
  void whatTheEncoderWritesTheParserReadsBackExactly() {
    String data = "line one\n\nid: forged\r\ndata: nope\rlast é ✓";
    Update u = new Update("x", List.of("t"), data, "t1", -1, false, 1);
    List<SseEvent> events = new ArrayList<>();
    new SseParser(events::add).feed(SseEncoder.encode(u));
    assertThat(events).containsExactly(new SseEvent("x", "t1", "line one\n\nid: forged\ndata: nope\nlast é ✓"));
  }

  @Test
  void commentsCannotBreakOutOfTheirLine() {
    assertThat(new String(SseEncoder.comment("a\nb\rc"), StandardCharsets.UTF_8)).isEqualTo(": a b c\n\n");
  }
}
