package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.hub.auth.TokenIssuer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code herald serve} and {@code herald token} as separate processes, the way an operator runs
 * them: the startup banner, the README's {@code curl -N} + {@code curl -X POST} tour driven from
 * the banner's own lines, keys from the environment (Herald's and Mercure's names), the demo
 * clock, tokens from the token subcommand, and one-line errors for bad flag values.
 *
 * <p>Timeouts here are safety nets only (a JVM starting on a busy machine); nothing asserts on
 * elapsed time.
 */
class ServeProcessTest {
  /** Safety net for anything a process should print or deliver. */
  private static final long WAIT_SECONDS = 60;
  private static final String KEY = "serve-process-test-secret-long-enough-for-hs256";
  private static final String OTHER_KEY = "another-secret-that-the-hub-does-not-know-at-all";
  private static final String GENERATED = "generated a random key";

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  @Test
  void withNoKeyTheBannerSaysSoAndItsCurlTourWorks() throws Exception {
    try (Herald hub = Herald.serve(dir, Map.of())) {
      String banner = String.join("\n", hub.banner);
      assertThat(banner).contains(GENERATED).contains(Herald.TOKEN_HEADING);
      assertThat(hub.hubUrl).isEqualTo("http://127.0.0.1:" + hub.port + "/.well-known/mercure");

      // curl -N -H 'Authorization: Bearer TOKEN' 'URL?topic=demo/hello'
      Curl subscribe = Curl.parse(hub.lineAfter("Subscribe:"));
      assertThat(subscribe.flags).contains("-N");
      assertThat(subscribe.headers).containsEntry("Authorization", "Bearer " + hub.token);
      assertThat(subscribe.url).startsWith(hub.hubUrl + "?topic=");
      // curl -X POST -H 'Authorization: Bearer TOKEN' -d topic=demo/hello -d data=hi 'URL'
      Curl publish = Curl.parse(hub.lineAfter("Publish:"));
      assertThat(publish.flags).contains("-X POST");
      assertThat(publish.headers).containsEntry("Authorization", "Bearer " + hub.token);
      assertThat(publish.url).isEqualTo(hub.hubUrl);
      assertThat(publish.form).isNotEmpty();

      try (Sse s = Sse.open(http, URI.create(subscribe.url), subscribe.headers)) {
        assertThat(s.status()).as(s.describe()).isEqualTo(200);
        HttpResponse<String> res = post(URI.create(publish.url), publish.headers, String.join("&", publish.form));
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        Sse.Event e = s.nextData();
        assertThat(e.id()).isEqualTo(res.body().trim());
        assertThat(e.data()).isEqualTo(formValue(publish.form, "data"));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"HERALD_PUBLISHER_JWT_KEY", "MERCURE_PUBLISHER_JWT_KEY"})
  void thePublisherKeyComesFromTheEnvironment(String variable) throws Exception {
    try (Herald hub = Herald.serve(dir, Map.of(variable, KEY))) {
      assertThat(String.join("\n", hub.banner)).doesNotContain(GENERATED);

      TokenIssuer issuer = new TokenIssuer(KEY);
      String publisher = issuer.issue(List.of("*"), List.of());
      String subscriber = issuer.issue(List.of(), List.of("*"));
      String foreign = new TokenIssuer(OTHER_KEY).issue(List.of("*"), List.of("*"));
      URI topic = URI.create(hub.hubUrl + "?topic=env/key");

      try (Sse refused = Sse.open(http, topic, Map.of("Authorization", "Bearer " + foreign))) {
        assertThat(refused.status()).as("subscribe with a token signed by another key").isEqualTo(401);
      }
      assertThat(post(URI.create(hub.hubUrl), bearer(foreign), form("topic", "env/key", "data", "x")).statusCode())
          .as("publish with a token signed by another key").isEqualTo(401);

      try (Sse s = Sse.open(http, topic, bearer(subscriber))) {
        assertThat(s.status()).as(s.describe()).isEqualTo(200);
        HttpResponse<String> res = post(URI.create(hub.hubUrl), bearer(publisher),
            form("topic", "env/key", "data", "signed with " + variable));
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        Sse.Event e = s.nextData();
        assertThat(e.id()).isEqualTo(res.body().trim());
        assertThat(e.data()).isEqualTo("signed with " + variable);
      }
    }
  }

  @Test
  void demoPublishesTheTimeOnDemoClockForAnonymousSubscribers() throws Exception {
    try (Herald hub = Herald.serve(dir, Map.of(), "--demo")) {
      hub.awaitLine(l -> l.startsWith("Demo:"), "the demo line of the banner");
      try (Sse s = Sse.open(http, URI.create(hub.hubUrl + "?topic=demo/clock"), Map.of())) {
        assertThat(s.status()).as("anonymous subscribe: " + s.describe()).isEqualTo(200);
        Sse.Event first = s.nextData();
        Sse.Event second = s.nextData();
        Pattern tick = Pattern.compile("\\{\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\"}");
        assertThat(first.data()).matches(tick);
        assertThat(second.data()).matches(tick);
        assertThat(first.id()).isNotBlank().isNotEqualTo(second.id());
      }
    }
  }

  @Test
  void theTokenSubcommandPrintsATokenTheHubAccepts() throws Exception {
    String all = runToExit("token", "--key", KEY, "--publish", "*").stdoutLine();
    String narrow = runToExit("token", "--key", KEY, "--publish", "somewhere/else").stdoutLine();
    String reader = runToExit("token", "--key", KEY, "--subscribe", "tok/*").stdoutLine();
    assertThat(all).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");

    try (Herald hub = Herald.serve(dir, Map.of(), "--publisher-jwt-key", KEY)) {
      assertThat(String.join("\n", hub.banner)).doesNotContain(GENERATED);
      try (Sse s = Sse.open(http, URI.create(hub.hubUrl + "?topic=tok/a"), bearer(reader))) {
        assertThat(s.status()).as(s.describe()).isEqualTo(200);
        HttpResponse<String> forbidden = post(URI.create(hub.hubUrl), bearer(narrow), form("topic", "tok/a", "data", "no"));
        assertThat(forbidden.statusCode()).as("token limited to another topic").isEqualTo(403);
        HttpResponse<String> res = post(URI.create(hub.hubUrl), bearer(all), form("topic", "tok/a", "data", "from herald token"));
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        Sse.Event e = s.nextData();
        assertThat(e.id()).isEqualTo(res.body().trim());
        assertThat(e.data()).isEqualTo("from herald token");
      }
    }
  }

  @Test
  void sigtermEndsOpenStreamsWithARetryHintAndStopsTheHub() throws Exception {
    try (Herald hub = Herald.serve(dir, Map.of(), "--anonymous")) {
      try (Sse s = Sse.open(http, URI.create(hub.hubUrl + "?topic=bye"), Map.of())) {
        assertThat(s.status()).as(s.describe()).isEqualTo(200);
        hub.process.destroy(); // SIGTERM, as from systemd, docker stop or Ctrl-C
        assertThat(s.awaitEnd(WAIT_SECONDS)).as("the hub ended the stream; raw:%n%s", s.raw).isTrue();
        assertThat(s.raw.toString()).as("a short retry: so subscribers come back soon").contains("retry:");
        assertThat(hub.process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).as("the process exited").isTrue();
        assertThat(hub.process.exitValue()).as("exit status after SIGTERM: a clean drain").isEqualTo(0);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"--addr=nonsense", "--addr=127.0.0.1:99999", "--addr=127.0.0.1:http"})
  void aBadAddrExitsNonZeroWithOneLine(String flag) throws Exception {
    assertOneLineError(flag);
  }

  @Test
  void aPortInUseExitsNonZeroWithOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Exited run = runToExit("serve", "--addr", "127.0.0.1:" + taken.getLocalPort(), "--history", "memory");
      List<String> err = run.stderr.lines().filter(l -> !l.isBlank()).toList();
      assertThat(run.code).as("exit code; stderr:%n%s", run.stderr).isNotZero();
      assertThat(err).as("stderr").hasSize(1);
      assertThat(err.get(0)).startsWith("herald: ").contains("Address already in use");
    }
  }

  /**
   * Values picocli itself rejects (a type conversion) must read the same as values the command
   * rejects: one {@code herald: ...} line, not the whole usage text.
   */
  @ParameterizedTest
  @ValueSource(strings = {"--heartbeat=nope", "--max-topics=many"})
  void aFlagValueOfTheWrongTypeExitsNonZeroWithOneLine(String flag) throws Exception {
    assertOneLineError(flag);
  }

  private void assertOneLineError(String flag) throws Exception {
    Exited run = runToExit("serve", flag);
    List<String> err = run.stderr.lines().filter(l -> !l.isBlank()).toList();
    assertThat(run.code).as("exit code of serve %s; stderr:%n%s", flag, run.stderr).isNotZero();
    assertThat(err).as("stderr of serve %s", flag).hasSize(1);
    assertThat(err.get(0)).startsWith("herald: ");
    assertThat(run.stdout).as("stdout of serve %s", flag).isBlank();
  }

  // ---- helpers ----

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  private static String form(String... pairs) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      parts.add(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8) + "="
          + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    return String.join("&", parts);
  }

  /** The value of {@code name} among curl's {@code -d name=value} arguments (curl sends them as is). */
  private static String formValue(List<String> form, String name) {
    return form.stream().filter(p -> p.startsWith(name + "=")).map(p -> p.substring(name.length() + 1))
        .findFirst().orElseThrow(() -> new AssertionError("no -d " + name + "=... in " + form));
  }

  private HttpResponse<String> post(URI uri, Map<String, String> headers, String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(WAIT_SECONDS))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(r::header);
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  record Exited(int code, String stdout, String stderr) {
    String stdoutLine() {
      assertThat(code).as("exit code; stderr:%n%s", stderr).isZero();
      List<String> lines = stdout.lines().filter(l -> !l.isBlank()).toList();
      assertThat(lines).as("stdout").hasSize(1);
      return lines.get(0).trim();
    }
  }

  /** Runs {@code herald ARGS} to completion. */
  private Exited runToExit(String... args) throws Exception {
    Path out = Files.createTempFile(dir, "stdout", ".txt");
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    Process p = Herald.builder(dir, Map.of(), List.of(args))
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    try {
      p.getOutputStream().close();
      if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("herald " + String.join(" ", args) + " still running after " + WAIT_SECONDS + " s");
      }
      return new Exited(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** A {@code herald serve} process, started and past its banner. */
  static final class Herald implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    static final String TOKEN_HEADING = "Token (publish and subscribe to every topic";
    static final String NO_TOKEN = "Tokens: none printed for a configured key";
    static final String NO_TOKEN_JSON = "no token is printed with --log-format json";

    final Process process;
    final int port;
    final Path stderr;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> seen = new ArrayList<>();
    final List<String> banner;
    String hubUrl;
    String token;

    private Herald(Process process, int port, Path stderr) {
      this.process = process;
      this.port = port;
      this.stderr = stderr;
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException ended) {
          // the process went away
        } finally {
          lines.add(EOF);
        }
      }, "herald-stdout");
      reader.setDaemon(true);
      reader.start();
      this.banner = seen;
    }

    static ProcessBuilder builder(Path workDir, Map<String, String> env, List<String> args) {
      return builder(workDir, env, List.of("-Xmx256m"), args);
    }

    /** The command line of {@code herald ARGS} in a JVM started with {@code jvmOptions} (heap caps). */
    static ProcessBuilder builder(Path workDir, Map<String, String> env, List<String> jvmOptions, List<String> args) {
      return builder(workDir, env, jvmOptions, HeraldCommand.class, args);
    }

    /** As above, running {@code main} (a test main wrapping {@link HeraldCommand}) instead. */
    static ProcessBuilder builder(Path workDir, Map<String, String> env, List<String> jvmOptions, Class<?> main,
        List<String> args) {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(main.getName());
      command.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
      // Only what the test says: no HERALD_* / MERCURE_* leaking in from the machine.
      pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_") || k.startsWith("MERCURE_"));
      pb.environment().putAll(env);
      return pb;
    }

    /**
     * Starts {@code herald serve --addr 127.0.0.1:FREE_PORT EXTRA...} and reads its banner up to
     * the curl publish line. A port taken between probing and binding is retried with another.
     */
    static Herald serve(Path workDir, Map<String, String> env, String... extra) throws Exception {
      return serve(workDir, env, List.of("-Xmx256m"), extra);
    }

    /** As {@link #serve(Path, Map, String...)}, in a JVM started with {@code jvmOptions}. */
    static Herald serve(Path workDir, Map<String, String> env, List<String> jvmOptions, String... extra)
        throws Exception {
      AssertionError last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        int port = freePort();
        List<String> args = new ArrayList<>(List.of("serve", "--addr", "127.0.0.1:" + port));
        args.addAll(List.of(extra));
        Path err = Files.createTempFile(workDir, "serve-stderr", ".txt");
        Process p = builder(workDir, env, jvmOptions, args).redirectError(err.toFile()).start();
        Herald h = new Herald(p, port, err);
        try {
          p.getOutputStream().close();
          h.readBanner();
          return h;
        } catch (AssertionError e) {
          h.close();
          String why = Files.readString(err);
          if (!why.contains("Address already in use")) {
            throw e;
          }
          last = e;
        }
      }
      throw last;
    }

    /**
     * Reads the banner up to its token part: the token and the curl tour when one is printed
     * (a generated key, plain logs), else the line saying why there is none ({@link #token} stays
     * {@code null}; tests with a fixed key make their own tokens).
     */
    private void readBanner() throws Exception {
      String url = awaitLine(l -> l.startsWith("Hub URL: "), "the Hub URL line");
      Matcher m = Pattern.compile("Hub URL: (\\S+)").matcher(url);
      assertThat(m.find()).isTrue();
      hubUrl = m.group(1);
      String next = awaitLine(l -> l.startsWith(TOKEN_HEADING) || l.startsWith(NO_TOKEN) || l.contains(NO_TOKEN_JSON),
          "the token heading, or why no token is printed");
      if (next.startsWith(TOKEN_HEADING)) {
        token = awaitLine(l -> true, "the token").trim();
        awaitLine(l -> l.equals("Publish:"), "the publish heading");
        awaitLine(l -> l.trim().startsWith("curl -X POST"), "the curl publish line");
      }
    }

    /** Reads stdout until a line matches, failing (with everything printed so far) if it never comes. */
    String awaitLine(Predicate<String> wanted, String what) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (true) {
        long left = deadline - System.nanoTime();
        String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
        if (line == null || line.equals(EOF)) {
          if (line != null) {
            lines.add(EOF);
            process.waitFor(10, TimeUnit.SECONDS);
          }
          throw new AssertionError(String.format(
              "herald serve %s before printing %s%nstdout:%n%s%nstderr:%n%s",
              line == null ? "printed nothing more within " + WAIT_SECONDS + " s"
                  : "ended (exit " + (process.isAlive() ? "?" : process.exitValue()) + ")",
              what, String.join("\n", seen), Files.readString(stderr)));
        }
        seen.add(line);
        if (wanted.test(line)) {
          return line;
        }
      }
    }

    /** The banner line following {@code heading}, trimmed. */
    String lineAfter(String heading) {
      int i = seen.indexOf(heading);
      assertThat(i).as("banner line %s in%n%s", heading, String.join("\n", seen)).isNotNegative();
      assertThat(i + 1).isLessThan(seen.size());
      return seen.get(i + 1).trim();
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        process.destroyForcibly();
        try {
          process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private static int freePort() throws IOException {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      }
    }
  }

  /** The pieces of a banner curl line: flags, -H headers, -d fields (raw), and the URL. */
  record Curl(Set<String> flags, Map<String, String> headers, List<String> form, String url) {
    private static final Pattern HEADER = Pattern.compile("-H '([^':]+): ([^']*)'");
    private static final Pattern DATA = Pattern.compile("-d (\\S+)");
    private static final Pattern URL = Pattern.compile("'(https?://[^']+)'\\s*$");

    static Curl parse(String line) {
      assertThat(line).startsWith("curl ");
      Set<String> flags = new HashSet<>();
      for (String f : List.of("-N", "-X POST")) {
        if (line.contains(" " + f + " ")) {
          flags.add(f);
        }
      }
      Map<String, String> headers = new LinkedHashMap<>();
      Matcher h = HEADER.matcher(line);
      while (h.find()) {
        headers.put(h.group(1), h.group(2));
      }
      List<String> form = new ArrayList<>();
      Matcher d = DATA.matcher(line);
      while (d.find()) {
        form.add(d.group(1));
      }
      Matcher u = URL.matcher(line);
      assertThat(u.find()).as("URL at the end of %s", line).isTrue();
      return new Curl(flags, headers, form, u.group(1));
    }
  }

  /** A minimal streaming SSE reader (LF line endings, which is what the hub writes). */
  static final class Sse implements AutoCloseable {
    record Event(String id, String type, String data) {}

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final StringBuffer raw = new StringBuffer();
    private final CountDownLatch ended = new CountDownLatch(1);

    private Sse(HttpResponse<InputStream> response) {
      this.response = response;
      if (response.statusCode() == 200) {
        Thread t = new Thread(this::read, "test-sse-reader");
        t.setDaemon(true);
        t.start();
      }
    }

    static Sse open(HttpClient http, URI uri, Map<String, String> headers) throws Exception {
      HttpRequest.Builder r = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
      headers.forEach(r::header);
      return new Sse(http.send(r.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    int status() {
      return response.statusCode();
    }

    String describe() {
      if (response.statusCode() == 200) {
        return "200";
      }
      try {
        return response.statusCode() + " " + new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return response.statusCode() + " (body unreadable: " + e + ")";
      }
    }

    private void read() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String id = null;
        String type = null;
        List<String> data = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
          raw.append(line).append('\n');
          if (line.isEmpty()) {
            if (!data.isEmpty()) {
              events.add(new Event(id, type, String.join("\n", data)));
            }
            id = null;
            type = null;
            data.clear();
          } else if (!line.startsWith(":")) {
            int colon = line.indexOf(':');
            String name = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
              value = value.substring(1);
            }
            switch (name) {
              case "id" -> id = value;
              case "event" -> type = value;
              case "data" -> data.add(value);
              default -> { }
            }
          }
        }
      } catch (IOException closed) {
        // closed by the test or the hub
      } finally {
        ended.countDown();
      }
    }

    /** Waits until the stream ends (the hub closed it). */
    boolean awaitEnd(long seconds) throws InterruptedException {
      return ended.await(seconds, TimeUnit.SECONDS);
    }

    /** The next event already received, or {@code null} when there is none. */
    Event poll() {
      return events.poll();
    }

    /** The next event with data, failing the test if none comes. */
    Event nextData() throws InterruptedException {
      Event e = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no event within " + WAIT_SECONDS + " s; raw stream so far:\n" + raw);
      }
      return e;
    }

    @Override
    public void close() {
      try {
        response.body().close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }
}
