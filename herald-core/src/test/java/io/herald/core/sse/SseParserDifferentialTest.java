package io.herald.core.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Differential test: random streams, cut into random chunks, parsed by {@link SseParser} and by the
 * npm package {@code eventsource-parser} (run by the machine's Node through
 * test-support/node/parse-stream.mjs); both must report the same events, retries and comments in
 * the same order.
 *
 * <p>Like for like: the Node side decodes each byte chunk with one streaming {@code TextDecoder}
 * (eventsource-parser takes text, not bytes) and tracks the persistent last event ID that
 * eventsource-parser reports per block only; see the script for details.
 *
 * <p>What the generator avoids on purpose, because the two parsers legitimately differ there:
 * {@code retry} values longer than 15 digits (JavaScript numbers lose precision; Herald saturates
 * at {@code Long.MAX_VALUE}), and the text "ï»¿" (U+00EF U+00BB U+00BF) at the very start of a
 * stream, which eventsource-parser strips as a "raw" BOM for callers that decoded as Latin-1, while
 * WHATWG (and Herald) keep it as text.
 *
 * <p>The seed is printed and can be replayed with {@code -Dherald.differential.seed=N}.
 */
class SseParserDifferentialTest {
  private static final int CASES = Integer.getInteger("herald.differential.cases", 3000);
  private static final byte[][] VALUE_PIECES = {
    ascii("a"), ascii("hello"), ascii(" "), ascii(":"), ascii("  x"), ascii("data"), ascii("id"),
    utf8("é"), utf8("€"), utf8("𝄞"), utf8("日本"), {0}, {(byte) 0xFF}, {(byte) 0x80},
    {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
    {(byte) 0xF0, (byte) 0x9D, (byte) 0x84}, {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, ascii("\r"),
    ascii("\n")
  };
  private static final String[] FIELD_NAMES = {
    "data", "data", "data", "event", "id", "retry", "", "foo", "Data", "ida", "retry ", "dat"
  };
  private static final String[] LINE_ENDINGS = {"\n", "\r", "\r\n"};

  @Test
  void randomStreamsParseExactlyAsEventsourceParserDoes() throws Exception {
    Path root = repositoryRoot();
    Path script = root.resolve("test-support/node/parse-stream.mjs");
    Path module = root.resolve("test-support/node/node_modules/eventsource-parser");
    if (!Files.isDirectory(module)) {
      fail(
          "eventsource-parser is not installed in %s: run `npm ci --prefix test-support/node` from"
              + " the repository root first",
          module.getParent());
    }
    long seed = Long.getLong("herald.differential.seed", System.nanoTime());
    System.out.println("SseParserDifferentialTest seed=" + seed);
    Random random = new Random(seed);

    List<List<byte[]>> cases = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      cases.add(chunk(randomStream(random), random));
    }

    List<String> expected = runNode(script, cases);
    assertThat(expected).as("one output line per case").hasSize(cases.size());
    // Guard against a vacuous comparison: the streams must produce plenty of everything.
    String all = String.join(" ", expected);
    assertThat(all.split("E\\|", -1).length).as("events").isGreaterThan(CASES);
    assertThat(all.split("R\\|", -1).length).as("retries").isGreaterThan(CASES / 10);
    assertThat(all.split("C\\|", -1).length).as("comments").isGreaterThan(CASES / 10);
    for (int i = 0; i < cases.size(); i++) {
      String actual = parseWithHerald(cases.get(i));
      if (!actual.equals(expected.get(i))) {
        fail(
            "case %d (seed %d) differs%n stream: %s%n chunks: %s%n herald: %s%n eventsource-parser: %s",
            i, seed, describe(cases.get(i)), sizes(cases.get(i)), decodeRecords(actual),
            decodeRecords(expected.get(i)));
      }
    }
  }

  /**
   * The differences the random test steers around, pinned down so that the documentation stays
   * true: if eventsource-parser changes, this test says so.
   */
  @Test
  void knownDifferencesFromEventsourceParser() throws Exception {
    Path script = repositoryRoot().resolve("test-support/node/parse-stream.mjs");
    // "ï»¿" as text (C3 AF C2 BB C2 BF) at the start: eventsource-parser strips it as a raw BOM.
    List<byte[]> latin1Bom = List.of(utf8("\u00EF\u00BB\u00BFdata: x\n\n"));
    // A retry of 20 digits: a JavaScript number cannot hold it exactly.
    List<byte[]> hugeRetry = List.of(ascii("retry: 12345678901234567890\n"));
    List<String> node = runNode(script, List.of(latin1Bom, hugeRetry));
    assertThat(parseWithHerald(latin1Bom)).isEmpty();
    assertThat(node.get(0)).isEqualTo("E||" + b64("message") + "|" + b64("x"));
    assertThat(parseWithHerald(hugeRetry)).isEqualTo("R|" + Long.MAX_VALUE);
    assertThat(node.get(1)).isNotEqualTo("R|12345678901234567890").startsWith("R|");
  }

  private static String parseWithHerald(List<byte[]> chunks) {
    List<String> records = new ArrayList<>();
    SseParser parser =
        new SseParser(
            new SseHandler() {
              @Override
              public void onEvent(SseEvent e) {
                records.add("E|" + b64(e.id()) + "|" + b64(e.type()) + "|" + b64(e.data()));
              }

              @Override
              public void onRetry(long millis) {
                records.add("R|" + millis);
              }

              @Override
              public void onComment(String comment) {
                records.add("C|" + b64(comment));
              }
            });
    for (byte[] chunk : chunks) {
      parser.feed(chunk);
    }
    parser.endOfStream();
    return String.join(" ", records);
  }

  private static List<String> runNode(Path script, List<List<byte[]>> cases)
      throws IOException, InterruptedException {
    Path input = Files.createTempFile("herald-sse-diff", ".in");
    Path output = Files.createTempFile("herald-sse-diff", ".out");
    Path errors = Files.createTempFile("herald-sse-diff", ".err");
    try {
      StringBuilder text = new StringBuilder();
      for (List<byte[]> chunks : cases) {
        List<String> encoded = new ArrayList<>();
        for (byte[] c : chunks) {
          encoded.add(Base64.getEncoder().encodeToString(c));
        }
        text.append(String.join(",", encoded)).append('\n');
      }
      Files.writeString(input, text);
      Process node;
      try {
        node =
            new ProcessBuilder("node", script.toString())
                .directory(script.getParent().toFile())
                .redirectInput(input.toFile())
                .redirectOutput(output.toFile())
                .redirectError(errors.toFile())
                .start();
      } catch (IOException e) {
        throw new AssertionError("cannot run `node` (Node.js 18+ must be on the PATH)", e);
      }
      if (!node.waitFor(120, TimeUnit.SECONDS)) {
        node.destroyForcibly();
        fail("node did not finish within 120 s");
      }
      if (node.exitValue() != 0) {
        fail("node failed (exit %d): %s", node.exitValue(), Files.readString(errors));
      }
      List<String> lines = new ArrayList<>(Files.readAllLines(output, StandardCharsets.UTF_8));
      return lines;
    } finally {
      Files.deleteIfExists(input);
      Files.deleteIfExists(output);
      Files.deleteIfExists(errors);
    }
  }

  /** Walks up from the working directory to the directory holding test-support/. */
  static Path repositoryRoot() {
    Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("test-support"))) {
        return d;
      }
    }
    throw new AssertionError("no test-support directory above " + dir);
  }

  private static byte[] randomStream(Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int bom = random.nextInt(20);
    if (bom < 6) {
      out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    }
    if (bom == 0) {
      out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    } else if (bom == 7) {
      out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB});
    } else if (bom == 8) {
      out.write(0xEF);
    }
    int lines = random.nextInt(30);
    for (int i = 0; i < lines; i++) {
      int kind = random.nextInt(10);
      if (kind < 3) {
        // blank line: dispatch (often, so that many events come out)
      } else if (kind == 3) {
        out.write(':');
        out.writeBytes(randomValue(random));
      } else if (kind == 4) {
        out.writeBytes(ascii("retry"));
        out.writeBytes(ascii(random.nextInt(4) == 0 ? ": " : ":"));
        out.writeBytes(randomRetry(random));
      } else {
        out.writeBytes(ascii(FIELD_NAMES[random.nextInt(FIELD_NAMES.length)]));
        int separator = random.nextInt(8);
        if (separator > 0) {
          out.writeBytes(ascii(separator < 4 ? ":" : separator < 7 ? ": " : ":  "));
          out.writeBytes(randomValue(random));
        }
      }
      out.writeBytes(ascii(LINE_ENDINGS[random.nextInt(LINE_ENDINGS.length)]));
    }
    if (random.nextInt(5) == 0) {
      out.writeBytes(ascii("data: unterminated"));
    }
    return out.toByteArray();
  }

  private static byte[] randomValue(Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pieces = random.nextInt(6);
    for (int i = 0; i < pieces; i++) {
      byte[] piece = VALUE_PIECES[random.nextInt(VALUE_PIECES.length)];
      // Line breaks inside values are rarer, so that most lines stay whole.
      if ((piece[0] == '\r' || piece[0] == '\n') && random.nextInt(4) != 0) {
        continue;
      }
      out.writeBytes(piece);
    }
    return out.toByteArray();
  }

  private static byte[] randomRetry(Random random) {
    switch (random.nextInt(6)) {
      case 0:
        return ascii("");
      case 1:
        return ascii("12a");
      case 2:
        return ascii("-5");
      case 3:
        return ascii(" 7");
      default:
        StringBuilder digits = new StringBuilder();
        int n = 1 + random.nextInt(15);
        for (int i = 0; i < n; i++) {
          digits.append((char) ('0' + random.nextInt(10)));
        }
        return ascii(digits.toString());
    }
  }

  /** Cuts the stream: sometimes byte by byte, otherwise at a few random offsets. */
  private static List<byte[]> chunk(byte[] stream, Random random) {
    List<byte[]> chunks = new ArrayList<>();
    if (random.nextInt(5) == 0) {
      for (byte b : stream) {
        chunks.add(new byte[] {b});
      }
      return chunks;
    }
    int start = 0;
    while (start < stream.length) {
      int size = 1 + random.nextInt(Math.max(1, Math.min(stream.length - start, random.nextInt(40) + 1)));
      size = Math.min(size, stream.length - start);
      byte[] c = new byte[size];
      System.arraycopy(stream, start, c, 0, size);
      chunks.add(c);
      start += size;
    }
    if (chunks.isEmpty()) {
      chunks.add(new byte[0]);
    }
    return chunks;
  }

  private static String describe(List<byte[]> chunks) {
    StringBuilder b = new StringBuilder();
    for (byte[] c : chunks) {
      for (byte x : c) {
        int v = x & 0xFF;
        if (v >= 0x20 && v < 0x7F && v != '\\') {
          b.append((char) v);
        } else {
          b.append(String.format("\\x%02X", v));
        }
      }
    }
    return b.toString();
  }

  private static String sizes(List<byte[]> chunks) {
    List<Integer> sizes = new ArrayList<>();
    for (byte[] c : chunks) {
      sizes.add(c.length);
    }
    return sizes.toString();
  }

  private static String decodeRecords(String records) {
    if (records.isEmpty()) {
      return "[]";
    }
    List<String> out = new ArrayList<>();
    for (String r : records.split(" ")) {
      String[] f = r.split("\\|", -1);
      switch (f[0]) {
        case "E":
          out.add("event(id=" + unb64(f[1]) + ", type=" + unb64(f[2]) + ", data=" + unb64(f[3]) + ")");
          break;
        case "C":
          out.add("comment(" + unb64(f[1]) + ")");
          break;
        default:
          out.add("retry(" + f[1] + ")");
      }
    }
    return out.toString().replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String unb64(String s) {
    return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
