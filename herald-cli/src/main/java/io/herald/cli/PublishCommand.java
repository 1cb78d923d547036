package io.herald.cli;

import io.herald.client.HubClient;
import io.herald.client.HubException;
import io.herald.client.Publication;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code herald publish}: publishes one update to a hub and prints its ID. On refusal it prints the
 * hub's one-line reason and exits 1.
 */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = "Publishes an update to a hub and prints its ID; prints the hub's reason and exits 1 if refused.")
final class PublishCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--hub", paramLabel = "URL", description = "The hub URL (e.g. https://example.com/.well-known/mercure).")
  URI hub;

  @Option(names = "--token", paramLabel = "T", description = "Publisher token (JWS with a mercure.publish claim).")
  String token;

  @Option(names = "--topic", paramLabel = "SEL", arity = "1..*", description = "Topics: the first is canonical, the others alternates.")
  List<String> topics;

  @Option(names = "--data", paramLabel = "D", description = "The update's data.")
  String data;

  @Option(names = "--data-file", paramLabel = "F", description = "Read the data from this file (UTF-8; - for standard input).")
  String dataFile;

  @Option(names = "--id", description = "The update's ID (the hub generates one otherwise).")
  String id;

  @Option(names = "--type", description = "The SSE event type.")
  String type;

  @Option(names = "--retry", paramLabel = "MILLIS", description = "Reconnection delay for subscribers, in milliseconds.")
  Long retry;

  @Option(names = "--private", description = "Only subscribers authorized for one of the topics receive it.")
  boolean isPrivate;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Publication publication = publication();
    try {
      String updateId = HubClient.builder(hub).build().publish(publication, token);
      out.println(updateId);
      out.flush();
      return 0;
    } catch (HubException e) {
      err.println(
          "herald publish: hub refused (" + e.status() + ")"
              + (e.reason().isEmpty() ? "" : ": " + e.reason()));
      err.flush();
      return 1;
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      err.println("herald publish: cannot reach " + hub + ": " + why);
      err.flush();
      return 1;
    }
  }

  private Publication publication() {
    CommandLine cli = spec.commandLine();
    if (hub == null) {
      throw new CommandLine.ParameterException(cli, "missing --hub URL");
    }
    if (token == null) {
      throw new CommandLine.ParameterException(cli, "missing --token (a publisher JWS)");
    }
    if (topics == null || topics.isEmpty()) {
      throw new CommandLine.ParameterException(cli, "missing --topic");
    }
    if (data != null && dataFile != null) {
      throw new CommandLine.ParameterException(cli, "give --data or --data-file, not both");
    }
    Publication.Builder b = Publication.builder(topics.get(0));
    topics.subList(1, topics.size()).forEach(b::topic);
    String body = data != null ? data : dataFile != null ? readData(cli) : null;
    if (body != null) {
      b.data(body);
    }
    if (id != null) {
      b.id(id);
    }
    if (type != null) {
      b.type(type);
    }
    if (retry != null) {
      if (retry < 0) {
        throw new CommandLine.ParameterException(cli, "--retry must not be negative");
      }
      b.retry(retry);
    }
    return b.privateUpdate(isPrivate).build();
  }

  private String readData(CommandLine cli) {
    try {
      if (dataFile.equals("-")) {
        return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
      }
      return Files.readString(Path.of(dataFile), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CommandLine.ParameterException(cli, "cannot read --data-file " + dataFile + ": " + e.getMessage());
    }
  }
}
