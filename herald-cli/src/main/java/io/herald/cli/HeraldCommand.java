package io.herald.cli;

import picocli.CommandLine;
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
    cli.setDefaultValueProvider(new EnvironmentDefaults(System.getenv()));
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("herald: " + oneLine(e));
      return 1;
    });
    // A mistyped flag gets one line, not the whole usage: scripts and logs read it at a glance.
    cli.setParameterExceptionHandler((e, rest) -> {
      CommandLine cmd = e.getCommandLine();
      cmd.getErr().println("herald: " + oneLine(e) + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
      return 2;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
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
