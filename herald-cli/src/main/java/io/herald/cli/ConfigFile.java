package io.herald.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code --config herald.yaml}: a flat map from flag names (without the dashes) to values.
 *
 * <pre>
 * addr: ":8080"
 * publisher-jwt-key: "..."
 * cors-origins: [https://app.example.com, https://admin.example.com]
 * history-max-age: 7d
 * </pre>
 *
 * <p>A key that is no flag of {@code serve} stops startup with its name: a typo must never be
 * silently ignored (a misspelt {@code anonymus: false} would otherwise leave a hub more open than
 * its operator thinks). Only plain YAML is accepted (no tags that construct objects).
 */
final class ConfigFile {
  private ConfigFile() {}

  /**
   * Loads the file and checks its keys against {@code knownKeys}.
   *
   * @return flag name (without dashes) to value as it would be typed on the command line
   * @throws IllegalArgumentException with a one-line reason naming the file and the key
   */
  static Map<String, String> load(Path file, Set<String> knownKeys) {
    Object root;
    try (Reader in = Files.newBufferedReader(file)) {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
    } catch (YAMLException e) {
      throw new IllegalArgumentException("config file " + file + " is not valid YAML: "
          + e.getMessage().replace('\n', ' '));
    }
    if (root == null) {
      return Map.of();
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("config file " + file + " must be a map of flag names to values");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey()).replace('_', '-');
      if (!knownKeys.contains(key)) {
        throw new IllegalArgumentException("config file " + file + ": unknown key '" + e.getKey() + "'");
      }
      Object v = e.getValue();
      if (v instanceof Map<?, ?>) {
        throw new IllegalArgumentException("config file " + file + ": '" + key + "' must be a value or a list");
      }
      String text = v instanceof List<?> list
          ? list.stream().map(String::valueOf).collect(Collectors.joining(","))
          : String.valueOf(v);
      values.put(key, text);
    }
    return values;
  }
}
