package io.herald.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * {@code herald bench}: drives any SSE endpoint (Herald, Nchan, a WebFlux app...) described by a
 * subscribe URL template and a publish request template, runs the chosen scenarios one after
 * another, prints each report as a table and writes them all as JSON.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Load-tests an SSE hub: many subscribers, a fixed publish rate (or closed-loop publishers), delivery and "
          + "publish latency, loss, memory and CPU.",
      "Templates take {topic} and {data}. Example against a hub started with --anonymous:",
      "  herald bench --scenario fanout --subscribers 10000 --rate 100 \\",
      "    --publish-header \"Authorization: Bearer $TOKEN\" --target-pid $(pgrep -f 'herald.jar serve')"
    })
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--scenario", split = ",", defaultValue = "fanout",
      description = "fanout, topics, idle, churn, resume, sweep (comma-separated; default ${DEFAULT-VALUE}).")
  List<String> scenarios;

  @Option(names = "--label", defaultValue = "target", description = "Name of the target in reports (default ${DEFAULT-VALUE}).")
  String label;

  @Option(names = "--subscribe-url", defaultValue = "http://127.0.0.1:8080/.well-known/mercure?topic={topic}",
      description = "Subscribe URL template (default ${DEFAULT-VALUE}). Repeat it to spread the subscribers "
          + "over several hub nodes, round-robin, as a load balancer would.")
  List<String> subscribeUrls;

  @Option(names = "--publish-url", defaultValue = "http://127.0.0.1:8080/.well-known/mercure",
      description = "Publish URL template (default ${DEFAULT-VALUE}). Repeat it to spread the publish "
          + "connections over several hub nodes, round-robin.")
  List<String> publishUrls;

  @Option(names = "--publish-body", defaultValue = "topic={topic}&data={data}",
      description = "Publish body template (default ${DEFAULT-VALUE}).")
  String publishBody;

  @Option(names = "--publish-header", description = "Header of each publish, 'Name: value' (repeatable).")
  List<String> publishHeaders = new ArrayList<>();

  @Option(names = "--subscribe-header", description = "Header of each subscribe request, 'Name: value' (repeatable).")
  List<String> subscribeHeaders = new ArrayList<>();

  @Option(names = "--subscribers", defaultValue = "10000", description = "Subscriber connections (default ${DEFAULT-VALUE}).")
  int subscribers;

  @Option(names = "--topics", defaultValue = "1000", description = "Topics of the 'topics' scenario (default ${DEFAULT-VALUE}).")
  int topics;

  @Option(names = "--rate", defaultValue = "100",
      description = "Updates published per second in --publish-mode rate; ignored in closed (default ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--topics-rate", defaultValue = "1000",
      description = "Updates per second in the 'topics' scenario, round-robin over the topics (default ${DEFAULT-VALUE}).")
  int topicsRate;

  @Option(names = "--duration", defaultValue = "10s", converter = Seconds.class,
      description = "Measured publishing time per scenario or sweep step (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "2s", converter = Seconds.class,
      description = "Publishing before measuring (default ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--payload", defaultValue = "100", description = "Bytes of data per update (default ${DEFAULT-VALUE}).")
  int payload;

  @Option(names = "--sources", defaultValue = "8",
      description = "Loopback source addresses 127.0.0.2.. to spread subscribers over; 0 lets the OS choose (default ${DEFAULT-VALUE}).")
  int sources;

  @Option(names = "--threads", defaultValue = "0", description = "Client event loops (default: one per core).")
  int threads;

  @Option(names = "--publish-connections", defaultValue = "16",
      description = "Keep-alive connections the publisher may use, one request in flight each (default ${DEFAULT-VALUE}).")
  int publishConnections;

  @Option(names = "--publish-mode", defaultValue = "rate", converter = Mode.class,
      description = "How publishers offer updates: 'rate' publishes --rate updates/s over up to --publish-connections "
          + "connections, skipping updates more than 1 s late; 'closed' keeps each of --publish-connections connections "
          + "busy, sending the next update as soon as the previous one is answered, as ordinary clients do, and ignores "
          + "--rate and --topics-rate (--sweep-rates then only repeat the same step). Both report the publish round "
          + "trip (publishP50Ms..publishMaxMs) (default ${DEFAULT-VALUE}).")
  PublishMode publishMode;

  @Option(names = "--max-pending-connects", defaultValue = "1000",
      description = "Connection attempts in flight at once (default ${DEFAULT-VALUE}).")
  int maxPendingConnects;

  @Option(names = "--churn-rate", defaultValue = "500", description = "Reconnections per second in 'churn' (default ${DEFAULT-VALUE}).")
  int churnRate;

  @Option(names = "--sweep-rates", split = ",", defaultValue = "10,20,50,100,200,500,1000",
      description = "Publish rates tried by 'sweep', in order (default ${DEFAULT-VALUE}).")
  List<Integer> sweepRates;

  @Option(names = "--p99-limit", defaultValue = "100ms", converter = Seconds.class,
      description = "p99 latency the sweep must stay under (default ${DEFAULT-VALUE}).")
  Duration p99Limit;

  @Option(names = "--target-pid", split = ",", description = "Process IDs of the target, for its memory and CPU (comma-separated).")
  List<Long> targetPids = new ArrayList<>();

  @Option(names = "--jcmd", description = "The target is a JVM: report heap per idle subscriber (jcmd GC.run + GC.heap_info).")
  boolean jcmd;

  @Option(names = "--scenario-suffix", defaultValue = "",
      description = "Appended to scenario names in reports, to tell apart runs of one scenario with other sizes.")
  String scenarioSuffix;

  @Option(names = "--json", description = "Write the reports to this file as a JSON array.")
  Path json;

  @Option(names = "--quiet", description = "No progress line.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    for (String h : publishHeaders) {
      requireHeader(h);
    }
    for (String h : subscribeHeaders) {
      requireHeader(h);
    }
    LoadSettings settings = new LoadSettings(label, subscribeUrls.stream().map(Template::new).toList(),
        publishUrls.stream().map(Template::new).toList(),
        new Template(publishBody), List.copyOf(publishHeaders), List.copyOf(subscribeHeaders), subscribers,
        Math.max(1, topics), rate, topicsRate, duration, warmup, payload, sources,
        threads > 0 ? threads : Runtime.getRuntime().availableProcessors(), publishConnections, maxPendingConnects,
        churnRate, List.copyOf(sweepRates), p99Limit, List.copyOf(targetPids), jcmd, !quiet, publishMode);
    List<Report> reports = new ArrayList<>();
    for (String name : scenarios) {
      Report r = Scenario.parse(name).run(settings, System.err);
      r.put("scenario", r.get("scenario") + scenarioSuffix);
      r.printTable(System.out);
      reports.add(r);
    }
    if (json != null) {
      write(json, reports);
    }
    return 0;
  }

  /** Writes the reports as one JSON array. */
  static void write(Path file, List<Report> reports) throws IOException {
    StringBuilder b = new StringBuilder("[\n");
    for (int i = 0; i < reports.size(); i++) {
      b.append(reports.get(i).toJson()).append(i + 1 < reports.size() ? ",\n" : "\n");
    }
    b.append("]\n");
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, b, StandardCharsets.UTF_8);
  }

  private static void requireHeader(String h) {
    if (h.indexOf(':') <= 0) {
      throw new IllegalArgumentException("a header is 'Name: value', got: " + h);
    }
  }

  /** Runs the benchmark as its own program (without the rest of the CLI). */
  public static void main(String[] args) {
    System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
  }

  /** Publish modes written in lower case: {@code rate}, {@code closed}. */
  static final class Mode implements ITypeConverter<PublishMode> {
    @Override
    public PublishMode convert(String value) {
      return PublishMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** Durations written {@code 10s}, {@code 500ms}, {@code 2m}, or a bare number of seconds. */
  static final class Seconds implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim();
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
      }
      if (v.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
      }
      return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
    }
  }

}
