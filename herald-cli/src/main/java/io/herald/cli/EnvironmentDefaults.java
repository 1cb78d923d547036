package io.herald.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Reads each option's default from the environment: {@code --publisher-jwt-key} from {@code
 * HERALD_PUBLISHER_JWT_KEY}, and so on. Mercure's own names for the keys ({@code
 * MERCURE_PUBLISHER_JWT_KEY}, {@code MERCURE_SUBSCRIBER_JWT_KEY}) are accepted too, so a Mercure
 * deployment moves over by changing its image only. Flags given on the command line win.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
  private static final Map<String, String> MERCURE_NAMES = Map.of(
      "HERALD_PUBLISHER_JWT_KEY", "MERCURE_PUBLISHER_JWT_KEY",
      "HERALD_SUBSCRIBER_JWT_KEY", "MERCURE_SUBSCRIBER_JWT_KEY");

  private final Map<String, String> env;

  EnvironmentDefaults(Map<String, String> env) {
    this.env = env;
  }

  /** The environment variable that feeds {@code option}. */
  static String variableFor(OptionSpec option) {
    String name = option.longestName().replaceFirst("^-+", "");
    return "HERALD_" + name.replace('-', '_').toUpperCase(Locale.ROOT);
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
    return value != null ? value : arg.defaultValue();
  }
}
