package io.herald.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The figures of one scenario run against one target, in insertion order: written as JSON (for
 * scripts and the comparison) and as a two-column table (for people). Values are numbers, strings,
 * or a list of rows (the sweep's steps).
 */
final class Report {
  private final Map<String, Object> values = new LinkedHashMap<>();
  private final List<Map<String, Object>> steps = new ArrayList<>();

  Report(String label, String scenario) {
    values.put("target", label);
    values.put("scenario", scenario);
  }

  Report put(String key, Object value) {
    values.put(key, value);
    return this;
  }

  Object get(String key) {
    return values.get(key);
  }

  /** Adds the delivery latency percentiles (milliseconds) of {@code h}: {@code p50Ms} ... {@code maxMs}. */
  static void putLatency(Map<String, Object> into, Histogram h) {
    into.put("latencySamples", h.getTotalCount());
    putPercentiles(into, h, "");
  }

  /**
   * Adds publish round-trip percentiles (milliseconds) of {@code h}: request written to response
   * read, acknowledged publishes only ({@code publishP50Ms} ... {@code publishMaxMs}).
   */
  static void putPublishLatency(Map<String, Object> into, Histogram h) {
    into.put("publishSamples", h.getTotalCount());
    putPercentiles(into, h, "publish");
  }

  /** {@code p50Ms}, {@code p90Ms}, {@code p99Ms}, {@code p999Ms} and {@code maxMs}, each after {@code prefix}. */
  private static void putPercentiles(Map<String, Object> into, Histogram h, String prefix) {
    into.put(key(prefix, "p50Ms"), millis(h.getValueAtPercentile(50)));
    into.put(key(prefix, "p90Ms"), millis(h.getValueAtPercentile(90)));
    into.put(key(prefix, "p99Ms"), millis(h.getValueAtPercentile(99)));
    into.put(key(prefix, "p999Ms"), millis(h.getValueAtPercentile(99.9)));
    into.put(key(prefix, "maxMs"), millis(h.getMaxValue()));
  }

  /** {@code name} as is, or after {@code prefix} in camel case ({@code publish} + {@code p50Ms}: {@code publishP50Ms}). */
  private static String key(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  void putLatency(Histogram h) {
    putLatency(values, h);
  }

  Map<String, Object> values() {
    return values;
  }

  /** Adds one row of the sweep. */
  void addStep(Map<String, Object> step) {
    steps.add(step);
  }

  private static double millis(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  /** The report as one JSON object. */
  String toJson() {
    Map<String, Object> all = new LinkedHashMap<>(values);
    if (!steps.isEmpty()) {
      all.put("steps", steps);
    }
    StringBuilder b = new StringBuilder();
    write(b, all);
    return b.toString();
  }

  /** The report as an aligned table. */
  void printTable(PrintStream out) {
    out.printf("%n== %s: %s ==%n", values.get("target"), values.get("scenario"));
    for (Map.Entry<String, Object> e : values.entrySet()) {
      if (!e.getKey().equals("target") && !e.getKey().equals("scenario")) {
        out.printf("  %-26s %s%n", e.getKey(), format(e.getValue()));
      }
    }
    if (!steps.isEmpty()) {
      out.printf("  %10s %12s %14s %9s %9s %9s %9s %12s %9s%n",
          "rate/s", "published/s", "deliveries/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "pub p99 ms", "lost");
      for (Map<String, Object> s : steps) {
        out.printf("  %10s %12s %14s %9s %9s %9s %9s %12s %9s%n", format(s.get("rate")), format(s.get("publishedPerSec")),
            format(s.get("deliveriesPerSec")), format(s.get("p50Ms")), format(s.get("p90Ms")),
            format(s.get("p99Ms")), format(s.get("p999Ms")), format(s.get("publishP99Ms")), format(s.get("lost")));
      }
    }
  }

  private static String format(Object v) {
    if (v instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format(Locale.ROOT, "%,d", d.longValue())
          : String.format(Locale.ROOT, "%,.2f", d);
    }
    if (v instanceof Long || v instanceof Integer) {
      return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
    }
    return String.valueOf(v);
  }

  @SuppressWarnings("unchecked")
  private static void write(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        string(b, e.getKey());
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        write(b, l.get(i));
      }
      b.append(']');
    } else if (v instanceof Double d) {
      b.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d));
    } else if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else {
      string(b, v.toString());
    }
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
