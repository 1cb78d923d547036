package io.herald.core.sse;

import static io.herald.core.sse.Recorder.event;
import static io.herald.core.sse.Recorder.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every rule of docs/sse-parsing.md, each checked under every chunking of its input (see {@link
 * Chunkings}): the parser must report exactly the same thing however the bytes arrive.
 */
class SseParserRulesTest {

  /**
   * Parses {@code input} under every chunking, ends the stream, and checks the records; the last
   * expected record is the committed last event ID after the end of the stream.
   */
  static void assertParses(String input, String... expected) {
    byte[] bytes = bytes(input);
    for (Chunkings.Delivery delivery : Chunkings.of(bytes)) {
      Recorder recorder = new Recorder();
      SseParser parser = new SseParser(recorder);
      delivery.feeder().accept(parser);
      parser.endOfStream();
      List<String> actual = new ArrayList<>(recorder.records);
      actual.add("lastEventId=" + parser.lastEventId());
      assertThat(actual).as("%s delivered %s", printable(input), delivery.name()).containsExactly(expected);
    }
  }

  static String end(String lastEventId) {
    return "lastEventId=" + lastEventId;
  }

  /** UTF-8 of {@code s}, where {@code \xHH} stands for one raw byte (to write invalid UTF-8). */
  static byte[] bytes(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      if (s.startsWith("\\x", i)) {
        out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
        i += 3;
      } else {
        int cp = s.codePointAt(i);
        out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        i += Character.charCount(cp) - 1;
      }
    }
    return out.toByteArray();
  }

  private static String printable(String s) {
    return s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
  }

  @Nested
  class Rule1Utf8AndBom {
    @Test
    void decodesMultiByteCharactersEvenWhenSplit() {
      assertParses("data: héllo € 𝄞\n\n", message("héllo € 𝄞"), end(""));
    }

    @Test
    void replacesInvalidBytesWithReplacementCharacter() {
      assertParses("data: a\\xFFb\\x80c\n\n", message("a\uFFFDb\uFFFDc"), end(""));
    }

    @Test
    void replacesTruncatedSequenceBeforeLineEndWithOneReplacementCharacter() {
      assertParses("data: \\xE2\\x82\ndata: \\xF0\\x9D\\x84\n\n", message("\uFFFD\n\uFFFD"), end(""));
    }

    @Test
    void replacesEachMaximalInvalidSubpartAsWhatwgDoes() {
      // Overlong, surrogate and out-of-range encodings: one U+FFFD per byte that cannot start or
      // continue a valid sequence (the WHATWG / Unicode "maximal subpart" practice).
      assertParses(
          "data: \\xC0\\xAF|\\xE0\\x80\\x80|\\xED\\xA0\\x80|\\xF4\\x90\\x80\\x80|\\xE2\\x82z\n\n",
          message("\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD\uFFFD|\uFFFDz"),
          end(""));
    }

    @Test
    void dropsOneLeadingBom() {
      assertParses("\\xEF\\xBB\\xBFdata: x\n\n", message("x"), end(""));
    }

    @Test
    void keepsASecondBomAsText() {
      // The first line's field name is then "\uFEFFdata", an unknown field: no event from it.
      assertParses(
          "\\xEF\\xBB\\xBF\\xEF\\xBB\\xBFdata: x\n\ndata: y\n\n", message("y"), end(""));
      assertParses("\\xEF\\xBB\\xBF:\\xEF\\xBB\\xBFhi\n", "comment \uFEFFhi", end(""));
    }

    @Test
    void keepsABomInsideTheStreamAsText() {
      assertParses("data: \\xEF\\xBB\\xBFx\n\n", message("\uFEFFx"), end(""));
    }

    @Test
    void treatsAnIncompleteBomAsText() {
      // EF BB then "data" is no BOM: the two bytes are text (one U+FFFD), so the field name is
      // "\uFFFDdata", unknown. A parser that silently dropped them would report "x".
      assertParses("\\xEF\\xBBdata: x\n\ndata: y\n\n", message("y"), end(""));
      assertParses("\\xEFdata: x\n\ndata: y\n\n", message("y"), end(""));
    }

    @Test
    void dropsTheBomAgainAtTheStartOfTheNextStream() {
      byte[] stream = bytes("\\xEF\\xBB\\xBFdata: x\n\n");
      Recorder recorder = new Recorder();
      SseParser parser = new SseParser(recorder);
      parser.feed(stream);
      parser.endOfStream();
      parser.feed(stream, 0, 2);
      parser.feed(stream, 2, stream.length - 2);
      assertThat(recorder.records).containsExactly(message("x"), message("x"));
    }
  }

  @Nested
  class Rule2LineEndings {
    @Test
    void acceptsLfCrAndCrlf() {
      assertParses("data: a\n\n", message("a"), end(""));
      assertParses("data: a\r\r", message("a"), end(""));
      assertParses("data: a\r\n\r\n", message("a"), end(""));
    }

    @Test
    void mixesLineEndingsInOneEvent() {
      assertParses("data: a\rdata: b\r\ndata: c\ndata: d\r\n\r", message("a\nb\nc\nd"), end(""));
    }

    @Test
    void crlfIsOneLineEndingEvenWhenSplitButCrLfLfIsTwo() {
      // CRLF then LF: the LF is a blank line and dispatches. LF then CRLF likewise.
      assertParses("data: a\r\n\ndata: b\n\r\n", message("a"), message("b"), end(""));
      // CR CR LF: a line end, then a blank line ended by CRLF.
      assertParses("data: a\r\r\ndata: b\r\n\r\n", message("a"), message("b"), end(""));
    }

    @Test
    void dispatchesOnCrWithoutWaitingForMoreBytes() {
      Recorder recorder = new Recorder();
      SseParser parser = new SseParser(recorder);
      parser.feed(bytes("data: a\r\r"));
      assertThat(recorder.records).containsExactly(message("a"));
    }
  }

  @Nested
  class Rule3BlankLinesAndComments {
    @Test
    void blankLineDispatches() {
      assertParses("data: a\n\ndata: b\n\n", message("a"), message("b"), end(""));
    }

    @Test
    void commentsAreReportedButAreNoEvents() {
      assertParses(
          ": heartbeat\n:\n::x\n:  two spaces\ndata: a\n: inside\n\n",
          "comment heartbeat",
          "comment ",
          "comment :x",
          "comment  two spaces",
          "comment inside",
          message("a"),
          end(""));
    }

    @Test
    void aCommentAloneDispatchesNothing() {
      assertParses(":ping\n\n", "comment ping", end(""));
    }
  }

  @Nested
  class Rule4Fields {
    @Test
    void valueLosesAtMostOneLeadingSpace() {
      assertParses("data:x\n\n", message("x"), end(""));
      assertParses("data:  x \n\n", message(" x "), end(""));
      assertParses("data:\tx\n\n", message("\tx"), end(""));
    }

    @Test
    void valueMayHoldColons() {
      assertParses("data: a:b: c\n\n", message("a:b: c"), end(""));
    }

    @Test
    void lineWithoutColonIsFieldWithEmptyValue() {
      assertParses("data\n\n", message(""), end(""));
      assertParses("data\ndata\n\n", message("\n"), end(""));
      assertParses("event\ndata: x\n\n", message("x"), end(""));
    }

    @Test
    void namesAreCaseSensitiveAndUnknownNamesAreIgnored() {
      assertParses("Data: x\nDATA: y\n\n", end(""));
      assertParses("foo: bar\ndata : x\n data: y\ndata: z\n\n", message("z"), end(""));
    }
  }

  @Nested
  class Rule5FieldEffects {
    @Test
    void eventSetsTheType() {
      assertParses("event: ping\ndata: x\n\n", event("", "ping", "x"), end(""));
      assertParses("event: a\nevent: b\ndata: x\n\n", event("", "b", "x"), end(""));
    }

    @Test
    void emptyEventMeansTheDefaultType() {
      assertParses("event: a\nevent:\ndata: x\n\n", message("x"), end(""));
    }

    @Test
    void dataLinesAreJoinedByLf() {
      assertParses("data: a\ndata:\ndata: c\n\n", message("a\n\nc"), end(""));
    }

    @Test
    void idSetsTheLastEventId() {
      assertParses("id: 42\ndata: x\n\n", event("42", "message", "x"), end("42"));
    }

    @Test
    void idWithNulIsIgnored() {
      assertParses(
          "id: 1\ndata: a\n\nid: 2\\x003\ndata: b\n\n",
          event("1", "message", "a"),
          event("1", "message", "b"),
          end("1"));
    }

    @Test
    void emptyIdResetsTheLastEventId() {
      assertParses(
          "id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\ndata: c\n\nid:\ndata: d\n\n",
          event("1", "message", "a"),
          event("", "message", "b"),
          event("2", "message", "c"),
          event("", "message", "d"),
          end(""));
    }

    @Test
    void retryCountsOnlyWhenAllAsciiDigits() {
      assertParses(
          "retry: 1500\nretry: 15a\nretry:\nretry: -1\nretry:  15\nretry: 1.5\nretry: ١٢\nretry: 007\n",
          "retry 1500",
          "retry 7",
          end(""));
    }

    @Test
    void retryThatOverflowsSaturates() {
      assertParses("retry: 99999999999999999999999\n", "retry " + Long.MAX_VALUE, end(""));
    }

    @Test
    void retryInsideAnEventIsReportedOnItAndAppliesAtOnce() {
      assertParses(
          "retry: 20\ndata: x\n\ndata: y\n\n",
          "retry 20",
          message("x") + " retry=20",
          message("y"),
          end(""));
    }
  }

  @Nested
  class Rule6Dispatch {
    @Test
    void lastEventIdPersistsToLaterEvents() {
      assertParses(
          "id: 1\ndata: a\n\ndata: b\n\n",
          event("1", "message", "a"),
          event("1", "message", "b"),
          end("1"));
    }

    @Test
    void idIsCommittedEvenWhenNothingIsDispatched() {
      assertParses("id: 5\n\ndata: x\n\n", event("5", "message", "x"), end("5"));
    }

    @Test
    void emptyDataBufferDispatchesNothingButResetsTheType() {
      assertParses("event: foo\n\ndata: x\n\n", message("x"), end(""));
    }

    @Test
    void onlyOneTrailingLfIsRemoved() {
      assertParses("data: a\ndata:\n\n", message("a\n"), end(""));
    }

    @Test
    void nulInDataIsKept() {
      assertParses("data: a\\x00b\n\n", message("a\0b"), end(""));
    }
  }

  @Nested
  class Rule7EndOfStream {
    @Test
    void incompleteEventIsDroppedAndItsIdNotCommitted() {
      assertParses("id: 1\ndata: a\n\nid: 2\ndata: b\n", event("1", "message", "a"), end("1"));
    }

    @Test
    void unterminatedLineIsDropped() {
      assertParses("data: a\n\ndata: b", message("a"), end(""));
      assertParses("retry: 5", end(""));
    }

    @Test
    void nextStreamStartsCleanButKeepsTheCommittedId() {
      Recorder recorder = new Recorder();
      SseParser parser = new SseParser(recorder);
      parser.feed(bytes("id: 1\ndata: a\n\nid: 2\nevent: t\ndata: partial\n"));
      parser.endOfStream();
      parser.feed(bytes("data: b\n\n"));
      assertThat(recorder.records)
          .containsExactly(event("1", "message", "a"), event("1", "message", "b"));
      assertThat(parser.lastEventId()).isEqualTo("1");
    }

    @Test
    void aCrAtTheEndOfOneStreamDoesNotSwallowALfStartingTheNext() {
      Recorder recorder = new Recorder();
      SseParser parser = new SseParser(recorder);
      parser.feed(bytes("data: a\r"));
      parser.endOfStream();
      parser.feed(bytes("\ndata: b\n\n"));
      assertThat(recorder.records).containsExactly(message("b"));
    }
  }

  @Test
  void seededLastEventIdIsReportedUntilTheStreamSetsOne() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder);
    parser.lastEventId("saved");
    parser.feed(bytes("data: a\n\nid: new\ndata: b\n\n"));
    assertThat(recorder.records)
        .containsExactly(event("saved", "message", "a"), event("new", "message", "b"));
  }
}
