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
  void anyMixOfLineBreaksAndNonAsciiTextComesBackAsWrittenWithBreaksAsLf() {
    String[] pieces = {"a", "\u00e9", "\u2713", "\ud83d\ude00", "\r", "\n", "\r\n", " ", ":"};
    java.util.Random random = new java.util.Random(7);
    for (int round = 0; round < 2_000; round++) {
      StringBuilder data = new StringBuilder();
      for (int i = random.nextInt(12); i > 0; i--) {
        data.append(pieces[random.nextInt(pieces.length)]);
      }
      String type = random.nextBoolean() ? null : "t\u00e9" + round;
      long retry = random.nextBoolean() ? -1 : random.nextInt(100_000);
      Update u = new Update("id-\u2713-" + round, List.of("t"), data.toString(), type, retry, false, 1);
      List<SseEvent> events = new ArrayList<>();
      SseParser parser = new SseParser(events::add);
      parser.feed(SseEncoder.encode(u));
      String expected = data.toString().replace("\r\n", "\n").replace('\r', '\n');
      assertThat(events).as("round %d: %s", round, data)
          .containsExactly(new SseEvent("id-\u2713-" + round, type == null ? "message" : type, expected, retry));
      assertThat(encode(u)).startsWith(
          (type == null ? "" : "event: " + type + "\n") + (retry < 0 ? "" : "retry: " + retry + "\n"));
    }
  }

  @Test
  void commentsCannotBreakOutOfTheirLine() {
    assertThat(new String(SseEncoder.comment("a\nb\rc"), StandardCharsets.UTF_8)).isEqualTo(": a b c\n\n");
  }
}
