package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.client.Event;
import io.herald.client.EventStream;
import io.herald.client.HubClient;
import io.herald.hub.HubFixture;
import io.herald.hub.HubServer;
import io.herald.hub.auth.TokenIssuer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code herald publish} against a real Herald hub on loopback. */
class PublishCommandTest {
  static final String KEY = HubFixture.KEY;

  private HubFixture fixture;
  private HubServer hub;
  private String hubUrl;

  record Result(int exitCode, String out, String err) {}

  @BeforeEach
  void startHub() throws Exception {
    fixture = new HubFixture();
    hub = fixture.hub;
    hubUrl = fixture.hubUrl();
  }

  @AfterEach
  void stopHub() {
    fixture.close();
  }

  static String token(List<String> publish, List<String> subscribe) {
    return new TokenIssuer(KEY, "HS256").issue(publish, subscribe, null, null);
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new PublishCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Everything the hub still has for {@code topic}, read with the Java client. */
  private List<Event> replay(String topic, int expected) throws Exception {
    HubClient client =
        HubClient.builder(URI.create(hubUrl)).subscriberToken(token(List.of(), List.of("*"))).build();
    try (EventStream events = client.subscribe(topic).lastEventId("earliest").stream(16)) {
      List<Event> got = new java.util.ArrayList<>();
      for (int i = 0; i < expected; i++) {
        Event e = events.poll(Duration.ofSeconds(20));
        assertThat(e).as("event %d of %d", i + 1, expected).isNotNull();
        got.add(e);
      }
      return got;
    }
  }

  @Test
  void printsTheIdAndTheUpdateReachesSubscribers() throws Exception {
    Result r =
        run("--hub", hubUrl, "--token", token(List.of("*"), List.of()),
            "--topic", "https://example.com/books/1", "--topic", "https://example.com/alt",
            "--data", "hello\nworld", "--id", "book-1", "--type", "book", "--retry", "1500",
            "--private");
    assertThat(r.err()).isEmpty();
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("book-1\n");

    Event e = replay("https://example.com/alt", 1).get(0);
    assertThat(e.id()).isEqualTo("book-1");
    assertThat(e.type()).isEqualTo("book");
    assertThat(e.data()).isEqualTo("hello\nworld");
    assertThat(e.retry()).isEqualTo(1500);
  }

  @Test
  void theHubGeneratesAnIdWhenNoneIsGiven() {
    Result r = run("--hub", hubUrl, "--token", token(List.of("*"), List.of()), "--topic", "t", "--data", "x");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).matches("urn:uuid:[0-9a-f-]{36}\n");
  }

  @Test
  void dataFromAFileKeepsItsLines(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("data.txt");
    Files.writeString(file, "line 1\r\nline 2\rline 3 é");
    Result r =
        run("--hub", hubUrl, "--token", token(List.of("*"), List.of()), "--topic", "file",
            "--data-file", file.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(replay("file", 1).get(0).data()).isEqualTo("line 1\nline 2\nline 3 é");
  }

  @Test
  void invalidTokenPrintsTheHubsReasonAndExitsNonZero() {
    Result r = run("--hub", hubUrl, "--token", "not-a-jws", "--topic", "t", "--data", "x");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("herald publish: hub refused (401)");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void topicOutsideTheTokensClaimIsForbidden() {
    Result r =
        run("--hub", hubUrl, "--token", token(List.of("https://example.com/{x}"), List.of()),
            "--topic", "https://other.example/1", "--data", "x");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("herald publish: hub refused (403)");
  }

  @Test
  void malformedUpdateIsABadRequestWithTheHubsReason() {
    Result r =
        run("--hub", hubUrl, "--token", token(List.of("*"), List.of()), "--topic", "t",
            "--id", "#reserved");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("herald publish: hub refused (400): ").contains("#");
  }

  @Test
  void unreachableHubExitsNonZero() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Result r =
        run("--hub", "http://127.0.0.1:" + port + "/.well-known/mercure", "--token", "t",
            "--topic", "t", "--data", "x");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("herald publish: cannot reach");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("--hub", hubUrl, "--topic", "t").exitCode()).isEqualTo(2); // no token
    assertThat(run("--hub", hubUrl, "--token", "x").exitCode()).isEqualTo(2); // no topic
    assertThat(
            run("--hub", hubUrl, "--token", "x", "--topic", "t", "--data", "a", "--data-file", "f")
                .exitCode())
        .isEqualTo(2);
  }
}
