package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.cli.ServeProcessTest.Herald;
import io.herald.cli.ServeProcessTest.Sse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, finding 4, against a real {@code herald serve} process with little direct memory:
 * clients that send large bodies and stall, with and without a token, and clients that send
 * their request heads too slowly (slowloris). The hub must stay up and keep serving a bystander.
 *
 * <p>Timeouts are safety nets only; nothing asserts on elapsed time.
 */
class FrontDoorProcessTest {
  /** 32 MB of direct memory: 30 buffered 1 MB bodies are enough to exhaust it. */
  private static final List<String> SMALL_JVM = List.of(
      "-Xmx128m", "-XX:MaxDirectMemorySize=32m", "-XX:+ExitOnOutOfMemoryError");
  private static final int BODY = 1_000_000;
  private static final int UNAUTHENTICATED = 450;
  private static final int AUTHENTICATED = 40;
  private static final int WAIT_MILLIS = 30_000;

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  @Test
  void stalledBodiesWithAndWithoutATokenDoNotTakeTheHubDown() throws Exception {
    try (Herald hub = Herald.serve(dir, Map.of(), SMALL_JVM,
        "--history", "memory", "--body-timeout", "3s")) {
      try (Sse bystander = Sse.open(http, URI.create(hub.hubUrl + "?topic=bystander"), bearer(hub.token))) {
        assertThat(bystander.status()).as(bystander.describe()).isEqualTo(200);

        List<Socket> attackers = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger answeredEarly = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<?>> sent = new ArrayList<>();
        try {
          for (int i = 0; i < UNAUTHENTICATED + AUTHENTICATED; i++) {
            String auth = i < UNAUTHENTICATED ? null : hub.token;
            sent.add(pool.submit(() -> {
              stallingPublish(hub.port, auth, attackers, answeredEarly);
              return null;
            }));
          }
          for (Future<?> f : sent) {
            f.get(120, TimeUnit.SECONDS);
          }

          // Every attacker has sent its headers and all but 100 bytes of its body.
          for (int i = 0; i < 5; i++) {
            String id = publishRetrying(hub, "during attack " + i);
            ServeProcessTest.Sse.Event e = bystander.nextData();
            assertThat(e.id()).isEqualTo(id);
            assertThat(e.data()).isEqualTo("during attack " + i);
          }
          HttpResponse<String> metrics = http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + "/metrics"))
                  .timeout(Duration.ofSeconds(20)).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(metrics.statusCode()).isEqualTo(200);
          assertThat(sample(metrics.body(), "herald_request_bodies_refused_total{reason=\"in_flight\"}"))
              .as("authenticated stalled bodies hit the in-flight cap").isPositive();
          assertThat(sample(metrics.body(), "herald_http_body_bytes_in_flight"))
              .isLessThanOrEqualTo(sample(metrics.body(), "herald_http_body_bytes_in_flight_max"));
          assertThat(answeredEarly.get())
              .as("the unauthenticated clients got their 401 without sending a whole body")
              .isGreaterThanOrEqualTo(UNAUTHENTICATED);
        } finally {
          pool.shutdownNow();
          synchronized (attackers) {
            for (Socket s : attackers) {
              s.close();
            }
          }
        }
        assertThat(hub.process.isAlive()).as("hub still running").isTrue();
        String id = publishRetrying(hub, "after attack");
        assertThat(bystander.nextData().id()).isEqualTo(id);
        awaitSample(hub, "herald_http_body_bytes_in_flight", 0);
      }
    }
  }

  @Test
  void slowRequestHeadsAreAllClosedAndTheHubKeepsServing() throws Exception {
    try (Herald hub = Herald.serve(dir, Map.of(), SMALL_JVM, "--history", "memory", "--header-timeout", "2s")) {
      try (Sse bystander = Sse.open(http, URI.create(hub.hubUrl + "?topic=bystander"), bearer(hub.token))) {
        assertThat(bystander.status()).isEqualTo(200);
        List<Socket> slow = new ArrayList<>();
        try {
          for (int i = 0; i < 500; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", hub.port), WAIT_MILLIS);
            s.setSoTimeout(WAIT_MILLIS);
            s.getOutputStream().write(("GET /.well-known/mercure?topic=x HTTP/1.1\r\nHost: x\r\nX-" + i + ": ")
                .getBytes(StandardCharsets.US_ASCII));
            slow.add(s);
          }
          for (Socket s : slow) {
            // Half a head and then nothing: the hub must not wait for the rest forever.
            assertThat(readUntilClosed(s)).as("a slow connection is answered 408 and closed").contains(" 408 ");
          }
          String id = publishRetrying(hub, "after slowloris");
          assertThat(bystander.nextData().id()).isEqualTo(id);
          assertThat(hub.process.isAlive()).isTrue();
        } finally {
          for (Socket s : slow) {
            s.close();
          }
        }
      }
    }
  }

  /** Reads what the hub sends until it closes; fails if it does not within the safety net. */
  private static String readUntilClosed(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder got = new StringBuilder();
    byte[] buf = new byte[4096];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("slow connection still open after " + WAIT_MILLIS + " ms; got: " + got);
    } catch (IOException reset) {
      // closed with a reset: what came is the answer
    }
    return got.toString();
  }

  /**
   * Sends a publish head announcing {@link #BODY} bytes and all but the last 100 of them, then
   * leaves the connection open. Counts the connections answered (401) before the body was all sent.
   */
  private static void stallingPublish(int port, String token, List<Socket> keep, AtomicInteger answeredEarly)
      throws IOException {
    Socket s = new Socket();
    keep.add(s);
    s.connect(new InetSocketAddress("127.0.0.1", port), WAIT_MILLIS);
    s.setSoTimeout(WAIT_MILLIS);
    OutputStream out = s.getOutputStream();
    String head = "POST /.well-known/mercure HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
        + "Content-Length: " + BODY + "\r\n\r\n";
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'a');
    chunk[1] = '=';
    try {
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      int left = BODY - 100;
      while (left > 0) {
        int n = Math.min(left, chunk.length);
        out.write(chunk, 0, n);
        left -= n;
        chunk[1] = 'a';
      }
      out.flush();
    } catch (IOException closedByHub) {
      // the hub answered and closed before the body was all sent
    }
    if (token == null && answered(s)) {
      answeredEarly.incrementAndGet();
    }
  }

  /** Whether the hub has answered 401 on {@code s} (reads its status line). */
  private static boolean answered(Socket s) {
    try {
      byte[] status = s.getInputStream().readNBytes(12);
      return new String(status, StandardCharsets.US_ASCII).equals("HTTP/1.1 401");
    } catch (IOException e) {
      return false;
    }
  }

  /** Publishes on the bystander's topic, honouring 503 + Retry-After a bounded number of times. */
  private String publishRetrying(Herald hub, String data) throws Exception {
    HttpResponse<String> res = null;
    for (int attempt = 0; attempt < 40; attempt++) {
      res = http.send(HttpRequest.newBuilder(URI.create(hub.hubUrl))
              .timeout(Duration.ofSeconds(20))
              .header("Authorization", "Bearer " + hub.token)
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString("topic=bystander&data=" + data.replace(' ', '+')))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() != 503) {
        break;
      }
      assertThat(res.headers().firstValue("Retry-After")).isPresent();
      Thread.sleep(500);
    }
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return res.body().trim();
  }

  private void awaitSample(Herald hub, String name, long value) throws Exception {
    long seen = -1;
    for (int i = 0; i < 200; i++) {
      String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + "/metrics"))
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()).body();
      seen = sample(body, name);
      if (seen == value) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " is " + seen + ", expected " + value);
  }

  private static long sample(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.E+-]+)$").matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }
}
