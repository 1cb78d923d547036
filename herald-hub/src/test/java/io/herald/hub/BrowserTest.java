package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.herald.core.history.MemoryHistory;
import io.herald.core.transport.HistoryTransport;
import io.herald.core.update.Update;
import io.herald.hub.auth.JwtVerifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser against a real hub: headless Chromium (driven by playwright-core, in
 * test-support/node/browser-eventsource.mjs) opens the hub's page, subscribes with the browser's
 * own EventSource, publishes with fetch, and must receive the update; the page's demo clock must
 * tick; over HTTPS the browser multiplexes many EventSources on one HTTP/2 connection. Never skipped: when Chromium or playwright-core is missing the test fails and says how to
 * get them ({@code scripts/test.sh} installs both).
 */
class BrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** A safety net only: the script has its own hard timeout and normally ends within seconds. */
  private static final long PROCESS_WAIT_SECONDS = 90;
  /** The script's own hard timeout: generous, for a loaded CI machine; runs take seconds. */
  private static final long SCRIPT_TIMEOUT_MS = 60_000;

  @TempDir Path dir;

  @Test
  void browserEventSourceReceivesWhatFetchPublishesAndTheDemoClockTicks() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.anonymous(true).demo(true))) {
      String topic = "https://example.com/browser/" + UUID.randomUUID();
      String data = "from chromium " + UUID.randomUUID() + "\nline two: é € 𝄞";
      String origin = "http://127.0.0.1:" + f.port();
      // A Java subscriber on the same topic: what the browser got must be what the hub sent.
      try (SseStream java = f.subscribe(f.subscribeUri(topic))) {
        assertThat(java.status()).isEqualTo(200);
        Map<String, Object> result = runBrowser(origin, topic, data, "hub-page.png", List.of("--demo"));
        String id = assertExchange(result, origin, data, 1);
        SseStream.Event seen = java.nextData();
        assertThat(seen.id()).as("the Java subscriber saw the browser's update").isEqualTo(id);
        assertThat(seen.data()).isEqualTo(data);
        assertClockTicked(result);
      }
    }
  }

  /**
   * Why the hub speaks HTTP/2: over HTTP/1.1 a browser opens at most six connections per origin,
   * so a page with more EventSources than that stalls. Over HTTPS with ALPN h2 the page's clock,
   * eight EventSources and the publishing fetch share one connection, and all of them work.
   */
  @Test
  void overHttpsTheBrowserMultiplexesManyEventSourcesOnHttp2() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
    try (HubFixture f = new HubFixture(b -> b.anonymous(true).demo(true).tls(cert.cert(), cert.key()))) {
      String topic = "https://example.com/browser/h2/" + UUID.randomUUID();
      String data = "over h2 " + UUID.randomUUID();
      String origin = "https://127.0.0.1:" + f.port();
      HttpClient https = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_2)
          .sslContext(cert.sslContext())
          .build();
      try (SseStream java = SseStream.open(https,
          URI.create(origin + "/.well-known/mercure?topic=" + HubFixture.enc(topic)))) {
        assertThat(java.status()).isEqualTo(200);
        Map<String, Object> result = runBrowser(origin, topic, data, "hub-page-h2.png",
            List.of("--demo", "--sources", "8", "--ignore-https-errors"));
        String id = assertExchange(result, origin, data, 8);
        Map<String, Object> protocols = JSONObjectUtils.getJSONObject(result, "protocols");
        assertThat(protocols.get("page")).as("page protocol").isEqualTo(List.of("h2"));
        assertThat(protocols.get("subscribe")).as("EventSource protocol").isEqualTo(List.of("h2"));
        assertThat(protocols.get("publish")).as("fetch protocol").isEqualTo(List.of("h2"));
        assertThat(java.nextData().id()).isEqualTo(id);
        assertClockTicked(result);
      }
    }
  }

  /**
   * An EventSource cannot send headers: in a browser the token travels in the hub's cookie. The
   * cookie must authenticate the page's EventSource for a private update.
   */
  @Test
  void theCookieAuthenticatesTheBrowsersEventSourceForPrivateUpdates() throws Exception {
    try (HubFixture f = new HubFixture()) {
      String topic = "https://example.com/private/" + UUID.randomUUID();
      String data = "for cookie holders only";
      String origin = "http://127.0.0.1:" + f.port();
      String reader = HubFixture.token(List.of(), List.of(topic));
      try (SseStream java = f.subscribe(f.subscribeUri(topic), "Authorization", "Bearer " + reader)) {
        assertThat(java.status()).isEqualTo(200);
        Map<String, Object> result = runBrowser(origin, topic, data, "hub-page-cookie.png",
            List.of("--cookie", reader, "--private"));
        String id = assertExchange(result, origin, data, 1);
        assertThat(java.nextData().id()).isEqualTo(id);
      }
    }
  }

  /**
   * A publish carrying only the cookie is what a cross-site forgery looks like, so the hub takes
   * it only from its publish origins: from the page's origin when listed, refused (403) when not.
   * The Origin header here is the one a real browser sends.
   */
  @Test
  void aCookieOnlyPublishFromThePageIsAcceptedOnlyFromPublishOrigins() throws Exception {
    String topic = "https://example.com/cookie-publish/" + UUID.randomUUID();
    String both = HubFixture.token(List.of("*"), List.of(topic));
    try (HubFixture f = hubListingItsOwnOriginForPublish()) {
      String origin = "http://127.0.0.1:" + f.port();
      Map<String, Object> result = runBrowser(origin, topic, "cookie publish", "hub-page-cookie-publish.png",
          List.of("--cookie", both, "--publish-with", "cookie"));
      assertExchange(result, origin, "cookie publish", 1);
    }
    try (HubFixture f = new HubFixture();
        SseStream java = f.subscribe(f.subscribeUri(topic), "Authorization", "Bearer " + both)) {
      assertThat(java.status()).isEqualTo(200);
      String other = "http://127.0.0.1:" + f.port();
      Map<String, Object> result = runBrowser(other, topic, "forged?", "hub-page-cookie-refused.png",
          List.of("--cookie", both, "--publish-with", "cookie", "--expect-publish-status", "403"));
      assertThat(((Number) result.get("publishStatus")).intValue()).isEqualTo(403);
      // Nothing was dispatched: the next update a subscriber sees is the one published after.
      String marker = f.publishOk("topic", topic, "data", "after the refusal");
      assertThat(java.nextData().id()).isEqualTo(marker);
    }
  }

  /**
   * A hub restart, as the browser lives it: the stream ends with a short retry, the browser
   * reconnects on its own with {@code Last-Event-ID}, and the hub (same history, same port)
   * replays what was published in between: the page sees every update exactly once.
   */
  @Test
  void theBrowserResumesWithLastEventIdAcrossAHubRestart() throws Exception {
    String topic = "https://example.com/resume/" + UUID.randomUUID();
    MemoryHistory history = new MemoryHistory(1000);
    HistoryTransport transport = new HistoryTransport(history);
    HubServer hub = null;
    Process node = null;
    try {
      hub = HubServer.start(resumeConfig(0), transport);
      int port = hub.port();
      String origin = "http://127.0.0.1:" + port;
      Path out = browserTestDir();
      Path stderr = out.resolve("hub-page-resume-node-stderr.log");
      // A non-ASCII ID: the browser sends it back as UTF-8 bytes, which the hub must read as such
      // (read as ISO-8859-1 it matched nothing and the page got everything replayed again).
      // (Its UTF-8 bytes avoid 0x80-0x9F, which the DevTools protocol reports as windows-1252.)
      String wantedId = "\u00fc-\u00e9-" + UUID.randomUUID();
      node = startNode(List.of("--hub", origin, "--timeout-ms", String.valueOf(SCRIPT_TIMEOUT_MS), "--token", HubFixture.publisherToken(), "--topic", topic,
          "--data", "before the restart", "--resume", "--id", wantedId,
          "--screenshot", out.resolve("hub-page-resume.png").toString()),
          stderr);
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Process reading = node;
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(reading.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            lines.add(line);
          }
        } catch (IOException ended) {
          // the script exited
        } finally {
          lines.add("");
        }
      }, "browser-stdout");
      reader.setDaemon(true);
      reader.start();

      String stage = lines.poll(PROCESS_WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(stage).as("the script's first stage; stderr:%n%s", read(stderr)).isNotNull().startsWith("{");
      Map<String, Object> first = JSONObjectUtils.parse(stage);
      assertThat(first.get("stage")).as(stage).isEqualTo("received-first");
      String firstId = (String) first.get("id");
      assertThat(firstId).isEqualTo(wantedId);

      hub.close(); // ends the browser's stream with a short retry: it will come back by itself
      hub = null;
      transport.close(); // a restarted hub has a transport of its own over the same history
      // Published while no hub is listening (as through another node of a cluster), so the
      // browser can only get it by replay from its Last-Event-ID: no race with a live delivery.
      Update away;
      try (HistoryTransport elsewhere = new HistoryTransport(history)) {
        away = elsewhere.publish(new Update("urn:uuid:" + UUID.randomUUID(), List.of(topic),
            "while the hub was away", null, -1, false, 0)).get(PROCESS_WAIT_SECONDS, TimeUnit.SECONDS);
      }
      transport = new HistoryTransport(history);
      hub = HubServer.start(resumeConfig(port), transport);
      try (var stdin = node.getOutputStream()) {
        stdin.write(("expect " + away.id() + "\n").getBytes(StandardCharsets.UTF_8));
      }

      if (!node.waitFor(PROCESS_WAIT_SECONDS, TimeUnit.SECONDS)) {
        fail("browser script still running after %d s; its stderr:%n%s", PROCESS_WAIT_SECONDS, read(stderr));
      }
      reader.join(TimeUnit.SECONDS.toMillis(10));
      List<String> rest = new ArrayList<>();
      lines.drainTo(rest);
      String stdout = String.join("\n", rest);
      assertThat(node.exitValue())
          .as("browser script exit code; stdout:%n%s%nstderr:%n%s", stdout, read(stderr))
          .isZero();
      Map<String, Object> result = JSONObjectUtils.parse(lastLine(stdout));
      assertThat(result.get("ok")).as(stdout).isEqualTo(true);
      List<Object> received = JSONObjectUtils.getJSONArray(result, "received");
      assertThat(received).extracting(m -> (Object) ((Map<?, ?>) m).get("lastEventId")).containsExactly(firstId, away.id());
      assertThat(received).extracting(m -> (Object) ((Map<?, ?>) m).get("data"))
          .containsExactly("before the restart", "while the hub was away");
      // The DevTools protocol reports header bytes one char each: the browser sent the ID's UTF-8.
      assertThat(JSONObjectUtils.getJSONArray(result, "lastEventIdSent"))
          .contains(new String(firstId.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    } finally {
      if (node != null) {
        node.destroyForcibly();
        node.waitFor(10, TimeUnit.SECONDS);
      }
      if (hub != null) {
        hub.close();
      }
      transport.close();
      history.close();
    }
  }

  private static HubConfig resumeConfig(int port) throws Exception {
    JwtVerifier verifier = JwtVerifier.create(HubFixture.KEY, "HS256");
    return HubConfig.builder()
        .address(new InetSocketAddress("127.0.0.1", port))
        .publisherVerifier(verifier)
        .subscriberVerifier(verifier)
        .anonymous(true)
        .heartbeat(Duration.ofSeconds(30))
        .ioThreads(2)
        .build();
  }

  /** A hub whose publish origins hold its own origin (so its port is chosen before it starts). */
  private static HubFixture hubListingItsOwnOriginForPublish() throws Exception {
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      try {
        return new HubFixture(b -> b
            .address(new InetSocketAddress("127.0.0.1", port))
            .publishOrigins(List.of("http://127.0.0.1:" + port)));
      } catch (Exception e) {
        // Someone took the port between probing and binding: try another.
        boolean taken = e instanceof BindException
            || String.valueOf(e.getMessage()).contains("Address already in use");
        if (attempt == 3 || !taken) {
          throw e;
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Checks the browser's exchange and returns the ID the hub gave the update. */
  private static String assertExchange(Map<String, Object> result, String origin, String data, int sources)
      throws Exception {
    Map<String, Object> published = JSONObjectUtils.getJSONObject(result, "published");
    Map<String, Object> received = JSONObjectUtils.getJSONObject(result, "received");
    String id = (String) published.get("id");
    assertThat(id).as("ID the hub answered the browser's POST with").isNotBlank();
    assertThat(published.get("data")).isEqualTo(data);
    assertThat(received.get("data")).as("data the browser's EventSource received").isEqualTo(data);
    assertThat(received.get("lastEventId")).as("lastEventId in the browser").isEqualTo(id);
    assertThat(received.get("origin")).isEqualTo(origin);
    assertThat(((Number) result.get("sources")).intValue()).as("EventSources that received it").isEqualTo(sources);
    return id;
  }

  private static void assertClockTicked(Map<String, Object> result) throws Exception {
    Map<String, Object> clock = JSONObjectUtils.getJSONObject(result, "clock");
    assertThat(clock).as("demo scenario ran").isNotNull();
    assertThat((String) clock.get("text")).isNotBlank().isNotEqualTo("--:--:--");
    assertThat(clock.get("status")).isEqualTo("connected");
  }

  /**
   * Runs test-support/node/browser-eventsource.mjs against the hub at {@code origin}, insists on
   * exit 0 and {@code "ok": true}, and returns its JSON result. The screenshot goes to
   * target/browser-test/.
   */
  private static Map<String, Object> runBrowser(
      String origin, String topic, String data, String screenshotName, List<String> extra) throws Exception {
    Path out = browserTestDir();
    Path screenshot = out.resolve(screenshotName);
    Files.deleteIfExists(screenshot);
    Path stderr = out.resolve(screenshotName.replaceFirst("\\.png$", "") + "-node-stderr.log");

    List<String> args = new ArrayList<>(List.of(
        "--hub", origin,
        "--timeout-ms", String.valueOf(SCRIPT_TIMEOUT_MS),
        "--token", HubFixture.publisherToken(),
        "--topic", topic,
        "--data", data,
        "--screenshot", screenshot.toString()));
    args.addAll(extra);
    Process node = startNode(args, stderr);
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

    assertThat(node.exitValue())
        .as("browser script exit code; stdout:%n%s%nstderr:%n%s", stdout, read(stderr))
        .isZero();
    String resultLine = lastLine(stdout);
    Map<String, Object> result = JSONObjectUtils.parse(resultLine);
    assertThat(result.get("ok")).as(resultLine).isEqualTo(true);
    assertThat(screenshot).as("screenshot for humans").isNotEmptyFile();
    return result;
  }

  private static Path browserTestDir() throws IOException {
    Path out = Path.of("target", "browser-test").toAbsolutePath();
    Files.createDirectories(out);
    return out;
  }

  /**
   * Starts {@code node test-support/node/browser-eventsource.mjs ARGS} from the repository root,
   * stderr to {@code stderr}; fails (never skips) when Chromium or playwright-core is missing.
   */
  private static Process startNode(List<String> args, Path stderr) throws IOException {
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
    List<String> command = new ArrayList<>(List.of("node", script.toString()));
    command.addAll(args);
    try {
      return new ProcessBuilder(command)
          .directory(root.toFile())
          .redirectError(stderr.toFile())
          .start();
    } catch (IOException e) {
      throw new AssertionError("cannot run node (" + e.getMessage() + "): run scripts/test.sh,"
          + " which installs nodejs and the npm test peers", e);
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
