package io.herald.cli;

import io.herald.client.Event;
import io.herald.client.EventSource;
import io.herald.client.EventSourceException;
import io.herald.client.EventSourceListener;
import io.herald.client.EventSources;
import io.herald.client.EventStream;
import io.herald.client.HubClient;
import io.herald.core.Reasons;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code herald subscribe}: prints the events of a hub's topics, or of any SSE endpoint, as they
 * arrive. It reconnects and resumes (with {@code Last-Event-ID}) like the Java client does, exits
 * 0 when the server answers 204, and exits 1 with a one-line reason on a fatal error (401, 403,
 * 404, not an event stream...).
 */
@Command(
    name = "subscribe",
    mixinStandardHelpOptions = true,
    description = {
      "Prints events as they arrive, from a hub's topics (--hub and --topic) or any SSE endpoint"
          + " (--url).",
      "Reconnects and resumes on network errors; exits 0 on HTTP 204, 1 on a fatal error."
    })
final class SubscribeCommand implements Callable<Integer> {
  /** Events waiting to be printed: a slow terminal pushes back on the server, not on memory. */
  private static final int BUFFERED_EVENTS = 64;

  @Spec CommandSpec spec;

  @Option(names = "--hub", paramLabel = "URL", description = "The hub URL (e.g. https://example.com/.well-known/mercure).")
  URI hub;

  @Option(names = "--topic", paramLabel = "SEL", arity = "1..*", description = "Topic selectors to subscribe to (with --hub); repeatable.")
  List<String> topics;

  @Option(names = "--url", paramLabel = "URL", description = "Read this SSE endpoint as is (instead of --hub/--topic).")
  URI url;

  @Option(names = "--token", paramLabel = "T", description = "Bearer token (JWS) sent as Authorization.")
  String token;

  @Option(names = "--last-event-id", paramLabel = "ID", description = "Resume after this event ID (\"earliest\" on a hub: all it still has).")
  String lastEventId;

  @Option(names = "--json", description = "Print one JSON object per line: id, type, data (and retry when set).")
  boolean json;

  @Option(names = "--read-timeout", paramLabel = "DURATION", converter = Durations.class, defaultValue = "60s", description = "Reconnect when nothing (not even a heartbeat) arrives for this long (default ${DEFAULT-VALUE}).")
  Duration readTimeout;

  @Override
  public Integer call() throws InterruptedException {
    EventSources.Builder builder = builder();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    builder
        .readTimeout(readTimeout)
        .listener(
            new EventSourceListener() {
              @Override
              public void onError(EventSource source, EventSourceException error) {
                if (error.isRetryable()) {
                  err.println("herald subscribe: " + Reasons.oneLine(Objects.requireNonNullElse(error.getMessage(), "failed")) + "; reconnecting");
                  err.flush();
                }
              }
            });
    if (lastEventId != null) {
      builder.lastEventId(lastEventId);
    }
    try (EventStream events = builder.stream(BUFFERED_EVENTS)) {
      for (Event event : events) {
        out.print(json ? toJson(event) + "\n" : toText(event));
        out.flush();
        if (out.checkError()) {
          return 0; // the reader went away (e.g. "| head -1"): stop quietly, as with SIGPIPE
        }
      }
      return 0;
    } catch (EventSourceException e) {
      err.println("herald subscribe: " + Reasons.oneLine(Objects.requireNonNullElse(e.getMessage(), "failed")));
      err.flush();
      return 1;
    }
  }

  private EventSources.Builder builder() {
    boolean hubMode = hub != null || topics != null;
    if (hubMode == (url != null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give either --hub with --topic, or --url");
    }
    if (url != null) {
      EventSources.Builder b = EventSources.builder(url);
      if (token != null) {
        b.bearerToken(token);
      }
      return b;
    }
    if (hub == null || topics == null || topics.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--hub needs at least one --topic (and --topic needs --hub)");
    }
    HubClient.Builder client = HubClient.builder(hub);
    if (token != null) {
      client.subscriberToken(token);
    }
    return client.build().subscribe(topics);
  }

  /** The event as SSE text (re-parsable): id, event, retry, one data line per line, blank line. */
  static String toText(Event event) {
    StringBuilder b = new StringBuilder();
    if (!event.id().isEmpty()) {
      b.append("id: ").append(event.id()).append('\n');
    }
    if (!event.type().equals(Event.DEFAULT_TYPE)) {
      b.append("event: ").append(event.type()).append('\n');
    }
    if (event.retry() >= 0) {
      b.append("retry: ").append(event.retry()).append('\n');
    }
    for (String line : event.data().split("\n", -1)) {
      b.append("data: ").append(line).append('\n');
    }
    return b.append('\n').toString();
  }

  /**
   * One JSON object on one line. Everything outside printable ASCII is escaped, so the output is
   * pure ASCII: correct whatever the terminal's or JVM's default charset.
   */
  static String toJson(Event event) {
    StringBuilder b = new StringBuilder(event.data().length() + 48);
    b.append("{\"id\":");
    quote(b, event.id());
    b.append(",\"type\":");
    quote(b, event.type());
    b.append(",\"data\":");
    quote(b, event.data());
    if (event.retry() >= 0) {
      b.append(",\"retry\":").append(event.retry());
    }
    return b.append('}').toString();
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        default:
          if (c < 0x20 || c > 0x7E) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }
}
