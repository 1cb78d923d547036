package io.herald.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies each option's value when the command line does not: first the environment, then the
 * config file, then the built-in default. So the precedence is command line, then environment,
 * then {@code --config} file, then defaults.
 *
 * <p>{@code --publisher-jwt-key} comes from {@code HERALD_PUBLISHER_JWT_KEY}, and so on. Mercure's
 * own names for the keys ({@code MERCURE_PUBLISHER_JWT_KEY}, {@code MERCURE_SUBSCRIBER_JWT_KEY})
 * are accepted too, so a Mercure deployment moves over by changing its image only.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
  private static final Map<String, String> MERCURE_NAMES = Map.of(
      "HERALD_PUBLISHER_JWT_KEY", "MERCURE_PUBLISHER_JWT_KEY",
      "HERALD_SUBSCRIBER_JWT_KEY", "MERCURE_SUBSCRIBER_JWT_KEY");

  private final Map<String, String> env;
  private final Map<String, String> file;

  EnvironmentDefaults(Map<String, String> env) {
    this(env, Map.of());
  }

  EnvironmentDefaults(Map<String, String> env, Map<String, String> file) {
    this.env = env;
    this.file = file;
  }

  /** The environment variable that feeds {@code option}. */
  static String variableFor(OptionSpec option) {
    return "HERALD_" + key(option).replace('-', '_').toUpperCase(Locale.ROOT);
  }

  /** The option's name without dashes, as used in config files. */
  static String key(OptionSpec option) {
    return option.longestName().replaceFirst("^-+", "");
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
      return arg.defaultValue();
    }
    String variable = variableFor(option);
    String value = env.get(variable);
    if (value == null && MERCURE_NAMES.containsKey(variable)) {
      value = env.get(MERCURE_NAMES.get(variable));
    }
    if (value == null) {
      value = file.get(key(option));
    }
    return value != null ? value : arg.defaultValue();
  }
}
