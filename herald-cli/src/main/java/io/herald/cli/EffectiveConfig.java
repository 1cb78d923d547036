package io.herald.cli;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code serve --print-config}: every flag's effective value, after command line, environment,
 * config file and defaults, as YAML that {@code --config} accepts back. Secrets are masked: the
 * output is meant for logs, tickets and screen shares.
 */
final class EffectiveConfig {
  static final Set<String> SECRETS = Set.of("publisher-jwt-key", "subscriber-jwt-key", "metrics-token");
  private static final String MASK = "********";

  private EffectiveConfig() {}

  static String yaml(CommandSpec serve) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(values(serve));
  }

  /** Every flag's effective value, secrets masked, in declaration order. */
  static Map<String, Object> values(CommandSpec serve) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (OptionSpec o : serve.options()) {
      if (!o.longestName().startsWith("--") || o.usageHelp() || o.versionHelp()) {
        continue;
      }
      String key = EnvironmentDefaults.key(o);
      if (key.equals("print-config")) {
        continue;
      }
      Object v = o.getValue();
      values.put(key, present(key, v));
    }
    return values;
  }

  private static Object present(String key, Object v) {
    if (v == null) {
      return null;
    }
    if (SECRETS.contains(key)) {
      return v.toString().isEmpty() ? "" : MASK;
    }
    if (key.equals("transport")) {
      // redis://user:password@host -> redis://user:********@host
      return v.toString().replaceAll("(://[^:/@]*:)[^@/]*@", "$1" + MASK + "@");
    }
    if (v instanceof Collection<?> c) {
      return c.stream().map(String::valueOf).collect(Collectors.toList());
    }
    if (v instanceof Boolean || v instanceof Number) {
      return v;
    }
    return v.toString();
  }
}
