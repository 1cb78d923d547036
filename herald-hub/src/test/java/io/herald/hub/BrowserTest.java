package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real browser against a real hub: headless Chromium (driven by playwright-core, in
 * test-support/node/browser-eventsource.mjs) opens the hub's page, subscribes with the browser's
 * own EventSource, publishes with fetch, and must receive the update; the page's demo clock must
 * tick. Never skipped: when Chromium or playwright-core is missing the test fails and says how to
 * get them ({@code scripts/test.sh} installs both).
 */
class BrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** A safety net only: the script has its own 30 s timeout and normally ends within seconds. */
  private static final long PROCESS_WAIT_SECONDS = 90;

  HubFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true).demo(true));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void browserEventSourceReceivesWhatFetchPublishesAndTheDemoClockTicks() throws Exception {
    Path root = repositoryRoot();
    Path script = root.resolve("test-support/node/browser-eventsource.mjs");
    Path playwright = root.resolve("test-support/node/node_modules/playwright-core");
    if (!Files.isRegularFile(script)) {
      fail("%s is missing", script);
    }
    if (!Files.isDirectory(playwright)) {
      fail("playwright-core is not installed in %s: run scripts/test.sh (it runs `npm ci --prefix"
          + " test-support/node`), or run that npm command from the repository root", playwright.getParent());
    }
    if (!Files.isExecutable(CHROMIUM)) {
      fail("%s is missing: run scripts/test.sh (it installs the Debian package chromium), or"
          + " `apt-get install chromium`", CHROMIUM);
    }

    String topic = "https://example.com/browser/" + UUID.randomUUID();
    String data = "from chromium " + UUID.randomUUID() + "\nline two: é € 𝄞";
    Path out = Path.of("target", "browser-test").toAbsolutePath();
    Files.createDirectories(out);
    Path screenshot = out.resolve("hub-page.png");
    Files.deleteIfExists(screenshot);
    Path stderr = out.resolve("node-stderr.log");

    // A Java subscriber on the same topic: what the browser got must be what the hub sent.
    try (SseStream java = f.subscribe(f.subscribeUri(topic))) {
      assertThat(java.status()).isEqualTo(200);

      List<String> command = List.of(
          "node", script.toString(),
          "--hub", "http://127.0.0.1:" + f.port(),
          "--token", HubFixture.publisherToken(),
          "--topic", topic,
          "--data", data,
          "--demo",
          "--screenshot", screenshot.toString());
      Process node;
      try {
        node = new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectError(stderr.toFile())
            .start();
      } catch (IOException e) {
        throw new AssertionError("cannot run node (" + e.getMessage() + "): run scripts/test.sh,"
            + " which installs nodejs and the npm test peers", e);
      }
      String stdout;
      try {
        node.getOutputStream().close();
        CompletableFuture<String> reading = CompletableFuture.supplyAsync(() -> readAll(node.getInputStream()));
        if (!node.waitFor(PROCESS_WAIT_SECONDS, TimeUnit.SECONDS)) {
          fail("browser script still running after %d s; its stderr:%n%s", PROCESS_WAIT_SECONDS, read(stderr));
        }
        stdout = reading.get(10, TimeUnit.SECONDS);
      } finally {
        node.destroyForcibly();
        node.waitFor(10, TimeUnit.SECONDS);
      }

      String resultLine = lastLine(stdout);
      assertThat(node.exitValue())
          .as("browser script exit code; stdout:%n%s%nstderr:%n%s", stdout, read(stderr))
          .isZero();
      Map<String, Object> result = JSONObjectUtils.parse(resultLine);
      assertThat(result.get("ok")).as(resultLine).isEqualTo(true);

      Map<String, Object> published = JSONObjectUtils.getJSONObject(result, "published");
      Map<String, Object> received = JSONObjectUtils.getJSONObject(result, "received");
      String id = (String) published.get("id");
      assertThat(id).as("ID the hub answered the browser's POST with").isNotBlank();
      assertThat(published.get("data")).isEqualTo(data);
      assertThat(received.get("data")).as("data the browser's EventSource received").isEqualTo(data);
      assertThat(received.get("lastEventId")).as("lastEventId in the browser").isEqualTo(id);
      assertThat(received.get("origin")).isEqualTo("http://127.0.0.1:" + f.port());

      SseStream.Event seen = java.nextData();
      assertThat(seen.id()).as("the Java subscriber saw the browser's update").isEqualTo(id);
      assertThat(seen.data()).isEqualTo(data);

      Map<String, Object> clock = JSONObjectUtils.getJSONObject(result, "clock");
      assertThat(clock).as("demo scenario ran").isNotNull();
      assertThat((String) clock.get("text")).isNotBlank().isNotEqualTo("--:--:--");
      assertThat(clock.get("status")).isEqualTo("connected");
      assertThat(screenshot).as("screenshot for humans").isNotEmptyFile();
    }
  }

  private static String lastLine(String stdout) {
    List<String> lines = new ArrayList<>(stdout.lines().filter(l -> !l.isBlank()).toList());
    if (lines.isEmpty()) {
      throw new AssertionError("the browser script printed nothing on stdout");
    }
    return lines.get(lines.size() - 1);
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(stdout unreadable: " + e + ")";
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** Walks up from the working directory to the directory holding test-support/. */
  static Path repositoryRoot() {
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = start; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("test-support"))) {
        return d;
      }
    }
    throw new AssertionError("no test-support directory above " + start);
  }
}
