package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code herald subscribe} against a scripted SSE endpoint on a real loopback socket (the JDK's
 * HTTP server): output formats, resumption, exit codes.
 */
class SubscribeCommandTest {
  private HttpServer server;
  private final List<HttpExchange> requests = new CopyOnWriteArrayList<>();

  @FunctionalInterface
  interface Script {
    void run(HttpExchange exchange, int number) throws IOException;
  }

  record Result(int exitCode, String out, String err) {}

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private String start(Script script) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger count = new AtomicInteger();
    server.createContext(
        "/",
        exchange -> {
          requests.add(exchange);
          try {
            script.run(exchange, count.getAndIncrement());
          } finally {
            exchange.close();
          }
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static void stream(HttpExchange x, String body) throws IOException {
    x.getResponseHeaders().set("Content-Type", "text/event-stream");
    x.sendResponseHeaders(200, 0);
    OutputStream out = x.getResponseBody();
    out.write(body.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static void status(HttpExchange x, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (contentType != null) {
      x.getResponseHeaders().set("Content-Type", contentType);
    }
    x.sendResponseHeaders(status, status == 204 ? -1 : bytes.length);
    if (status != 204) {
      x.getResponseBody().write(bytes);
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new SubscribeCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void printsEventsAsTheyArriveResumesAndExitsZeroOnNoContent() throws Exception {
    String base =
        start(
            (x, n) -> {
              switch (n) {
                case 0:
                  stream(x, "id: 1\nevent: greeting\ndata: hello\ndata: world\n\nretry: 10\n\n");
                  break;
                case 1:
                  stream(x, "id: 2\ndata: again\n\n");
                  break;
                default:
                  status(x, 204, null, "");
              }
            });
    Result r = run("--url", base + "/events");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .isEqualTo("id: 1\nevent: greeting\ndata: hello\ndata: world\n\nid: 2\ndata: again\n\n");
    assertThat(requests).hasSize(3);
    assertThat(requests.get(0).getRequestHeaders().getFirst("Last-Event-ID")).isNull();
    assertThat(requests.get(1).getRequestHeaders().getFirst("Last-Event-ID")).isEqualTo("1");
    assertThat(requests.get(2).getRequestHeaders().getFirst("Last-Event-ID")).isEqualTo("2");
  }

  @Test
  void jsonPrintsExactlyOneObjectPerLine() throws Exception {
    String base =
        start(
            (x, n) -> {
              if (n == 0) {
                stream(
                    x,
                    "id: 1\nevent: t\nretry: 10\ndata: a\"b\\c\ndata: é\u0001\n\ndata: plain\n\n"
                        + "id:\ndata: no id\n\n");
              } else {
                status(x, 204, null, "");
              }
            });
    Result r = run("--url", base + "/events", "--json");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out().split("\n", -1))
        .containsExactly(
            "{\"id\":\"1\",\"type\":\"t\",\"data\":\"a\\\"b\\\\c\\n\\u00e9\\u0001\",\"retry\":10}",
            "{\"id\":\"1\",\"type\":\"message\",\"data\":\"plain\"}",
            "{\"id\":\"\",\"type\":\"message\",\"data\":\"no id\"}",
            "");
  }

  @Test
  void sendsTokenAndInitialLastEventId() throws Exception {
    String base = start((x, n) -> status(x, 204, null, ""));
    Result r = run("--url", base + "/events?x=1", "--token", "abc", "--last-event-id", "urn:uuid:7");
    assertThat(r.exitCode()).isZero();
    HttpExchange first = requests.get(0);
    assertThat(first.getRequestURI().toString()).isEqualTo("/events?x=1");
    assertThat(first.getRequestHeaders().getFirst("Authorization")).isEqualTo("Bearer abc");
    assertThat(first.getRequestHeaders().getFirst("Last-Event-ID")).isEqualTo("urn:uuid:7");
    assertThat(first.getRequestHeaders().getFirst("Accept")).isEqualTo("text/event-stream");
  }

  @Test
  void hubModeSubscribesToEveryTopic() throws Exception {
    String base = start((x, n) -> status(x, 204, null, ""));
    Result r =
        run("--hub", base + "/.well-known/mercure", "--topic", "https://example.com/books/{id}",
            "--topic", "urn:x");
    assertThat(r.exitCode()).isZero();
    assertThat(requests.get(0).getRequestURI().getRawQuery())
        .isEqualTo("topic=https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D&topic=urn%3Ax");
  }

  @Test
  void fatalStatusExitsNonZeroWithTheServersReasonOnOneLine() throws Exception {
    String base = start((x, n) -> status(x, 401, "text/plain", "invalid token: signature\n"));
    Result r = run("--url", base + "/events");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).endsWith("\n");
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("401").contains("invalid token: signature");
    assertThat(requests).hasSize(1);
  }

  @Test
  void wrongContentTypeIsFatal() throws Exception {
    String base = start((x, n) -> status(x, 200, "text/html", "<html>"));
    Result r = run("--url", base + "/");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("not an event stream").contains("text/html");
  }

  @Test
  void retryableErrorsAreReportedAndRetried() throws Exception {
    String base =
        start(
            (x, n) -> {
              if (n == 0) {
                status(x, 503, "text/plain", "busy");
              } else {
                status(x, 204, null, "");
              }
            });
    // The CLI keeps the library's default first delay (3 s): this test waits that long once.
    Result r = run("--url", base + "/events", "--read-timeout", "20s");
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).contains("503").contains("busy").contains("reconnecting");
    assertThat(requests).hasSize(2);
  }

  @Test
  void usageErrors() {
    assertThat(run().exitCode()).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/", "--hub", "http://127.0.0.1:1/").exitCode())
        .isEqualTo(2);
    assertThat(run("--hub", "http://127.0.0.1:1/").exitCode()).isEqualTo(2);
    assertThat(run("--topic", "a").exitCode()).isEqualTo(2);
  }
}
