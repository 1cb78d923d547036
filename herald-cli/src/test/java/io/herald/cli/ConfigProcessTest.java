package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.herald.cli.ServeProcessTest.Herald;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration from a YAML file, the environment and flags; --print-config; JSON logs. */
class ConfigProcessTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private Run run(Map<String, String> env, String... args) throws Exception {
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p = Herald.builder(dir, env, List.of(args))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void precedenceIsFlagThenEnvironmentThenFileThenDefault() throws Exception {
    Path config = dir.resolve("herald.yaml");
    Files.writeString(config, String.join("\n",
        "addr: 127.0.0.1:7001",
        "heartbeat: 3s",
        "cors-origins: [https://a.example, https://b.example]",
        "max_topics: 7",
        "publisher-jwt-key: file-secret-that-must-never-be-printed-0123456789",
        ""));
    Run r = run(Map.of("HERALD_HEARTBEAT", "4s", "HERALD_MAX_TOPICS", "8"),
        "serve", "--config", config.toString(), "--max-topics", "9", "--print-config",
        "--transport", "redis://:redis-password@127.0.0.1:6399", "--metrics-token", "scrape-secret");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("addr: 127.0.0.1:7001")           // file
        .contains("heartbeat: PT4S")                // environment over file
        .contains("max-topics: 9")                  // flag over environment
        .contains("- https://a.example")
        .contains("history: durable")               // default
        .contains("publisher-jwt-key: '********'")
        .doesNotContain("file-secret")
        .contains("transport: redis://:********@127.0.0.1:6399")
        .doesNotContain("redis-password")
        .doesNotContain("scrape-secret");
  }

  @Test
  void unknownKeysAndInvalidValuesStopStartupNamingThem() throws Exception {
    Path config = dir.resolve("typo.yaml");
    Files.writeString(config, "anonymus: true\n");
    Run typo = run(Map.of(), "serve", "--config", config.toString(), "--print-config");
    assertThat(typo.exit()).isNotZero();
    assertThat(typo.err().strip()).isEqualTo("herald: config file " + config + ": unknown key 'anonymus'");

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "heartbeat: soon\n");
    Run invalid = run(Map.of(), "serve", "--config", bad.toString(), "--print-config");
    assertThat(invalid.exit()).isNotZero();
    assertThat(invalid.err()).startsWith("herald: ").contains("--heartbeat").contains("soon");
    assertThat(invalid.err().strip().lines()).hasSize(1);
  }

  @Test
  void jsonLogsSayWhatStartedAndNeverTheKey() throws Exception {
    String key = "json-log-secret-that-must-never-be-logged-0123456789";
    try (Herald hub = Herald.serve(dir, Map.of("HERALD_PUBLISHER_JWT_KEY", key),
        "--log-format", "json", "--history", "memory")) {
      String started = null;
      for (int i = 0; i < 100 && started == null; i++) {
        for (String line : Files.readAllLines(hub.stderr)) {
          if (line.contains("started on")) {
            started = line;
          }
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
      assertThat(started).isNotNull();
      Map<String, Object> json = JSONObjectUtils.parse(started);
      assertThat(json).containsKeys("ts", "level", "logger", "msg");
      assertThat((String) json.get("msg")).contains("history=memory");
      assertThat(Files.readString(hub.stderr)).doesNotContain(key);
    }
  }
}
