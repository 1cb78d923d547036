package io.herald.hub.json;

import java.util.List;
import java.util.Map;

/**
 * Writes the values nimbus's JSON parser produces ({@link Map}, {@link List}, {@link String},
 * {@link Number}, {@link Boolean}, {@code null}) back as compact JSON.
 *
 * <p>Why not nimbus's own writer: it only serializes objects, and {@code mercure.payload} may be
 * any JSON value. The depth cap matters because the payload comes from the token: a deeply
 * nested array must be rejected, not overflow the stack. Also used where the hub writes JSON-LD
 * (subscription events) without building a generic map first.
 */
public final class Json {
  /** Deepest nesting written; deeper input is rejected. */
  public static final int MAX_DEPTH = 64;

  private Json() {}

  /** The JSON text of {@code value}; IllegalArgumentException if it is not a JSON value. */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out, 0);
    return out.toString();
  }

  /** Appends the JSON text of {@code value}; IllegalArgumentException if it is not a JSON value. */
  public static void write(Object value, StringBuilder out) {
    write(value, out, 0);
  }

  private static void write(Object value, StringBuilder out, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH);
    }
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      string(s, out);
    } else if (value instanceof Boolean b) {
      out.append(b.booleanValue());
    } else if (value instanceof Number n) {
      number(n, out);
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(String.valueOf(e.getKey()), out);
        out.append(':');
        write(e.getValue(), out, depth + 1);
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(list.get(i), out, depth + 1);
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass().getSimpleName());
    }
  }

  private static void number(Number n, StringBuilder out) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("not a finite number");
      }
      // Integral doubles print without a fraction, as they were most likely written.
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        out.append((long) d);
      } else {
        out.append(d); // Java's form (e.g. 1.5, 1.0E20) is valid JSON.
      }
    } else if (n instanceof java.math.BigDecimal bd) {
      out.append(bd.toString());
    } else {
      // Long, Integer, BigInteger, and Gson's LazilyParsedNumber, whose text is the original.
      String text = n.toString();
      if (!text.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
        throw new IllegalArgumentException("not a JSON number");
      }
      out.append(text);
    }
  }

  /** Appends {@code s} as a JSON string, quoted and escaped. */
  public static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
