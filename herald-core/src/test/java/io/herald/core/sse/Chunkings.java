package io.herald.core.sse;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every way of delivering a byte stream that the parser must not be able to tell apart: whole,
 * split once at every offset, split twice at every pair of offsets (short inputs), byte by byte,
 * and through a direct ByteBuffer.
 */
final class Chunkings {
  private Chunkings() {}

  /** A named delivery: a description and a function that feeds a parser. */
  record Delivery(String name, Consumer<SseParser> feeder) {}

  static List<Delivery> of(byte[] input) {
    List<Delivery> all = new ArrayList<>();
    all.add(new Delivery("whole", p -> p.feed(input)));
    for (int cut = 0; cut <= input.length; cut++) {
      int c = cut;
      all.add(
          new Delivery(
              "split at " + c,
              p -> {
                p.feed(input, 0, c);
                p.feed(input, c, input.length - c);
              }));
    }
    if (input.length <= 48) {
      for (int a = 1; a < input.length; a++) {
        for (int b = a + 1; b < input.length; b++) {
          int x = a;
          int y = b;
          all.add(
              new Delivery(
                  "split at " + x + "," + y,
                  p -> {
                    p.feed(input, 0, x);
                    p.feed(input, x, y - x);
                    p.feed(input, y, input.length - y);
                  }));
        }
      }
    }
    all.add(
        new Delivery(
            "byte by byte",
            p -> {
              for (int i = 0; i < input.length; i++) {
                p.feed(input, i, 1);
              }
            }));
    all.add(
        new Delivery(
            "direct buffer",
            p -> {
              ByteBuffer direct = ByteBuffer.allocateDirect(input.length);
              direct.put(input).flip();
              p.feed(direct);
            }));
    all.add(
        new Delivery(
            "heap buffer slice",
            p -> {
              byte[] padded = new byte[input.length + 6];
              System.arraycopy(input, 0, padded, 3, input.length);
              p.feed(ByteBuffer.wrap(padded, 3, input.length).slice());
            }));
    return all;
  }
}
