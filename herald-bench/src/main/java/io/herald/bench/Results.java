package io.herald.bench;

import com.nimbusds.jose.util.JSONArrayUtils;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON reports of a comparison read back: target, then scenario, then figure. Targets keep
 * the order asked for (Herald first, so ratios read Herald/peer), then any other found.
 */
final class Results {
  private final Map<String, Map<String, Map<String, Object>>> byTarget = new LinkedHashMap<>();

  /** Reads every {@code *.json} of {@code dir} (each an array of reports). */
  static Results read(Path dir, List<String> order) throws IOException {
    Results r = new Results();
    for (String t : order) {
      r.byTarget.put(t, new TreeMap<>());
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      List<Path> sorted = new ArrayList<>();
      files.forEach(sorted::add);
      sorted.sort(null);
      for (Path f : sorted) {
        List<Object> reports;
        try {
          reports = JSONArrayUtils.parse(Files.readString(f));
        } catch (ParseException e) {
          throw new IOException("not a report array: " + f + ": " + e.getMessage(), e);
        }
        for (Object o : reports) {
          @SuppressWarnings("unchecked")
          Map<String, Object> report = (Map<String, Object>) o;
          String target = String.valueOf(report.get("target"));
          String scenario = String.valueOf(report.get("scenario"));
          r.byTarget.computeIfAbsent(target, t -> new TreeMap<>()).put(scenario, report);
        }
      }
    }
    r.byTarget.values().removeIf(Map::isEmpty);
    return r;
  }

  List<String> targets() {
    return new ArrayList<>(byTarget.keySet());
  }

  /** The report of {@code scenario} against {@code target}, or null if it did not run. */
  Map<String, Object> report(String target, String scenario) {
    Map<String, Map<String, Object>> m = byTarget.get(target);
    return m == null ? null : m.get(scenario);
  }

  /** A number of a report, or NaN when absent. */
  double number(String target, String scenario, String key) {
    Map<String, Object> r = report(target, scenario);
    Object v = r == null ? null : r.get(key);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** The scenario names of every sweep run (e.g. {@code SWEEP}, {@code SWEEP@1000}), sorted. */
  List<String> sweeps() {
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    for (Map<String, Map<String, Object>> m : byTarget.values()) {
      for (String scenario : m.keySet()) {
        if (scenario.startsWith("SWEEP")) {
          names.add(scenario);
        }
      }
    }
    return new ArrayList<>(names);
  }

  /** The steps of sweep {@code scenario} against {@code target}, or none. */
  @SuppressWarnings("unchecked")
  List<Map<String, Object>> steps(String target, String scenario) {
    Map<String, Object> r = report(target, scenario);
    Object s = r == null ? null : r.get("steps");
    return s instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
  }
}
