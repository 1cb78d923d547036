package io.herald.core.sse;

import static io.herald.core.sse.Recorder.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The caps that keep a hostile or broken stream from exhausting memory. */
class SseParserLimitsTest {

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void lineAtTheLimitPassesOneByteMoreFails() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 10, 100);
    parser.feed(ascii("data: 1234\n\n")); // the line is exactly 10 bytes
    assertThat(recorder.records).containsExactly(message("1234"));
    assertThatThrownBy(() -> parser.feed(ascii("data: 12345\n")))
        .isInstanceOf(SseLimitExceededException.class)
        .hasMessageContaining("SSE line larger than 10 bytes")
        .satisfies(
            e ->
                assertThat(((SseLimitExceededException) e).limit())
                    .isEqualTo(SseLimitExceededException.Limit.LINE));
  }

  @Test
  void aLineWithoutEndFailsOnceItPassesTheLimitNotAtItsEnd() {
    SseParser parser = new SseParser(new Recorder(), 1024, 4096);
    byte[] chunk = new byte[100];
    Arrays.fill(chunk, (byte) 'x');
    assertThatThrownBy(
            () -> {
              for (int i = 0; i < 1_000_000; i++) {
                parser.feed(chunk);
              }
            })
        .isInstanceOf(SseLimitExceededException.class);
  }

  @Test
  void eventDataOverTheLimitFailsEvenWhenEveryLineIsShort() {
    SseParser parser = new SseParser(new Recorder(), 100, 20);
    parser.feed(ascii("data: 12345\ndata: 12345\ndata: 1234\n")); // 6 + 6 + 5 = 17 bytes
    assertThatThrownBy(() -> parser.feed(ascii("data: 1234\n")))
        .isInstanceOf(SseLimitExceededException.class)
        .hasMessageContaining("SSE event larger than 20 bytes")
        .satisfies(
            e ->
                assertThat(((SseLimitExceededException) e).limit())
                    .isEqualTo(SseLimitExceededException.Limit.EVENT));
  }

  @Test
  void manyEmptyDataLinesAreBoundedToo() {
    SseParser parser = new SseParser(new Recorder(), 100, 1000);
    assertThatThrownBy(
            () -> {
              for (int i = 0; i < 10_000; i++) {
                parser.feed(ascii("data\n"));
              }
            })
        .isInstanceOf(SseLimitExceededException.class);
  }

  @Test
  void theLimitCountsPerEventNotPerStream() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 100, 20);
    for (int i = 0; i < 1000; i++) {
      parser.feed(ascii("data: 0123456789\n\n"));
    }
    assertThat(recorder.records).hasSize(1000);
  }

  @Test
  void commentsAndUnknownFieldsDoNotAccumulate() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 100, 20);
    for (int i = 0; i < 1000; i++) {
      parser.feed(ascii(": keep-alive 0123456789\nfoo: 0123456789\n"));
    }
    parser.feed(ascii("data: x\n\n"));
    assertThat(recorder.records).hasSize(1001).endsWith(message("x"));
  }

  @Test
  void theParserCanReadANewStreamAfterAFailure() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 10, 100);
    assertThatThrownBy(() -> parser.feed(ascii("data: 0123456789\n")))
        .isInstanceOf(SseLimitExceededException.class);
    parser.endOfStream();
    parser.feed(ascii("data: ok\n\n"));
    assertThat(recorder.records).containsExactly(message("ok"));
  }

  @Test
  void rejectsNonPositiveLimits() {
    assertThatThrownBy(() -> new SseParser(new Recorder(), 0, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
