package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.cli.ServeProcessTest.Herald;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request-limit flags reach the hub whichever way they are set (flag, HERALD_* environment,
 * YAML file), {@code herald token --subject} makes tokens they count by, and a nonsense value
 * stops startup with one line.
 */
class RequestLimitsProcessTest {
  private static final String KEY = "request-limits-process-test-secret-for-hs256";
  private static final long WAIT_SECONDS = 30;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private record Exited(int code, String stdout, String stderr) {}

  private Exited run(String... args) throws Exception {
    Path out = Files.createTempFile(dir, "stdout", ".txt");
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    Process p = Herald.builder(dir, Map.of(), List.of(args))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      p.getOutputStream().close();
      assertThat(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).as("herald %s exits", List.of(args)).isTrue();
      return new Exited(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private HttpResponse<String> publish(Herald hub, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(hub.hubUrl))
        .timeout(Duration.ofSeconds(WAIT_SECONDS))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString("topic=t&data=x")).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<InputStream> subscribe(Herald hub) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(hub.hubUrl + "?topic=t"))
        .timeout(Duration.ofSeconds(WAIT_SECONDS)).build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  @Test
  void limitsSetByFlagEnvironmentOrFileRefuseWith429() throws Exception {
    String alice = run("token", "--key", KEY, "--publish", "*", "--subject", "alice").stdout().strip();
    String bob = run("token", "--key", KEY, "--publish", "*", "--subject", "bob").stdout().strip();
    Path config = dir.resolve("herald.yaml");
    Files.writeString(config, "max-streams-per-address: 1\n", StandardCharsets.UTF_8);
    try (Herald hub = Herald.serve(dir, Map.of("HERALD_PUBLISH_RATE_PER_SUBJECT", "0.001"),
        "--publisher-jwt-key", KEY, "--anonymous", "--history", "memory", "--config", config.toString(),
        "--subscribe-rate-per-address", "1000")) {
      assertThat(publish(hub, alice).statusCode()).isEqualTo(200);
      HttpResponse<String> limited = publish(hub, alice);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("Retry-After").map(Long::parseLong).orElseThrow()).isPositive();
      assertThat(limited.body().strip())
          .isEqualTo("too many publish requests for this token subject: at most 0.001 per second");
      assertThat(publish(hub, bob).statusCode()).isEqualTo(200);

      HttpResponse<InputStream> stream = subscribe(hub);
      try (InputStream body = stream.body()) {
        assertThat(stream.statusCode()).isEqualTo(200);
        HttpResponse<InputStream> second = subscribe(hub);
        try (InputStream refused = second.body()) {
          assertThat(second.statusCode()).isEqualTo(429);
          assertThat(new String(refused.readAllBytes(), StandardCharsets.UTF_8).strip())
              .isEqualTo("too many open streams from this address: at most 1");
        }
      }
    }
  }

  @Test
  void printConfigShowsTheLimitsAndNonsenseStopsStartup() throws Exception {
    Exited shown = run("serve", "--max-streams-per-subject", "3", "--print-config");
    assertThat(shown.code()).as(shown.stderr()).isZero();
    assertThat(shown.stdout()).contains("max-streams-per-subject: 3").contains("publish-rate-per-address: 0.0");

    Exited bad = run("serve", "--publish-rate-per-address", "-1", "--history", "none", "--addr", "127.0.0.1:0");
    assertThat(bad.code()).isNotZero();
    List<String> err = bad.stderr().lines().filter(l -> !l.isBlank()).toList();
    assertThat(err).hasSize(1);
    assertThat(err.get(0)).startsWith("herald: ").contains("--publish-rate-per-address");
  }
}
