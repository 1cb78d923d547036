package io.herald.cli;

import io.herald.hub.auth.TokenIssuer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald token}: prints a signed HMAC token for development. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Prints a signed JWS (HS256 by default) carrying a mercure claim, for development.")
final class TokenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--key", required = true, description = "The HMAC secret (the hub's --publisher-jwt-key).")
  String key;

  @Option(names = "--publish", arity = "1..*", description = "Topic selectors the bearer may publish to.")
  List<String> publish = List.of();

  @Option(names = "--subscribe", arity = "1..*", description = "Topic selectors of private updates the bearer may receive.")
  List<String> subscribe = List.of();

  @Option(names = "--expires-in", converter = Durations.class, description = "Lifetime (e.g. 1h); none by default.")
  Duration expiresIn;

  @Option(names = "--algorithm", defaultValue = "HS256", description = "HS256, HS384 or HS512 (default ${DEFAULT-VALUE}).")
  String algorithm;

  @Option(names = "--subject", description = "The sub claim: who the bearer is, for the hub's per-subject limits; none by default.")
  String subject;

  @Override
  public Integer call() {
    Instant exp = expiresIn == null ? null : Instant.now().plus(expiresIn);
    spec.commandLine().getOut().println(new TokenIssuer(key, algorithm).issue(publish, subscribe, null, exp, subject));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
