package io.herald.cli;

import io.herald.core.Reasons;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Command;

/** The {@code herald} command: one binary for the hub, its tokens, and its clients. */
@Command(
    name = "herald",
    mixinStandardHelpOptions = true,
    versionProvider = HeraldCommand.Version.class,
    description = "Herald: a Server-Sent Events hub speaking the Mercure protocol.",
    subcommands = {
      ServeCommand.class,
      TokenCommand.class,
      PublishCommand.class,
      SubscribeCommand.class,
      io.herald.bench.BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class HeraldCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests: no {@code System.exit}). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new HeraldCommand());
    Map<String, String> fileValues;
    try {
      fileValues = configFileValues(cli, args, System.getenv());
    } catch (IllegalArgumentException e) {
      cli.getErr().println("herald: " + e.getMessage());
      return 2;
    }
    cli.setDefaultValueProvider(new EnvironmentDefaults(System.getenv(), fileValues));
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("herald: " + Reasons.oneLine(e));
      return 1;
    });
    // A mistyped flag gets one line, not the whole usage: scripts and logs read it at a glance.
    cli.setParameterExceptionHandler((e, rest) -> {
      CommandLine cmd = e.getCommandLine();
      cmd.getErr().println("herald: " + Reasons.oneLine(e) + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
      return 2;
    });
    return cli.execute(args);
  }

  /**
   * The values of {@code serve --config FILE} (or {@code HERALD_CONFIG}), read before the command
   * line is parsed because they are defaults for it. Keys are checked against serve's flags.
   */
  private static Map<String, String> configFileValues(CommandLine cli, String[] args, Map<String, String> env) {
    String path = env.get("HERALD_CONFIG");
    boolean serving = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("serve")) {
        serving = true;
      } else if (serving && args[i].equals("--config") && i + 1 < args.length) {
        path = args[i + 1];
      } else if (serving && args[i].startsWith("--config=")) {
        path = args[i].substring("--config=".length());
      }
    }
    if (!serving || path == null || path.isEmpty()) {
      return Map.of();
    }
    Set<String> known = new HashSet<>();
    for (OptionSpec o : cli.getSubcommands().get("serve").getCommandSpec().options()) {
      if (o.longestName().startsWith("--") && !o.usageHelp() && !o.versionHelp()) {
        known.add(EnvironmentDefaults.key(o));
      }
    }
    known.remove("config");
    known.remove("print-config");
    return ConfigFile.load(Path.of(path), known);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The version from the jar's manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = HeraldCommand.class.getPackage().getImplementationVersion();
      return new String[] {"herald " + (v == null ? "dev" : v)};
    }
  }
}
