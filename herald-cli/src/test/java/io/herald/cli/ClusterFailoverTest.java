package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.hub.auth.TokenIssuer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code herald serve --transport redis://...} processes sharing a real redis-server. The node
 * a subscriber reads from is killed with SIGKILL in the middle of a steady stream published on
 * the other node; the subscriber reconnects to the surviving node with its Last-Event-ID, and
 * what it received, in the end, is exactly what was published: same updates, same order, none
 * twice.
 *
 * <p>Timeouts are safety nets only; nothing asserts on elapsed time.
 */
class ClusterFailoverTest {
  private static final String KEY = "cluster-failover-test-secret-long-enough-for-hs256";
  private static final long WAIT_SECONDS = 60;
  private static final int UPDATES = 600;

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  @Test
  void aSubscriberOfAKilledNodeResumesOnAnotherAndMissesNothing() throws Exception {
    int redisPort = freePort();
    Path redisDir = Files.createDirectories(dir.resolve("redis"));
    Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort),
        "--bind", "127.0.0.1", "--dir", redisDir.toString(), "--save", "", "--appendonly", "no")
        .redirectErrorStream(true)
        .redirectOutput(redisDir.resolve("redis.log").toFile())
        .start();
    List<Process> nodes = new ArrayList<>();
    try {
      awaitRedis(redis, redisPort);
      String transport = "redis://127.0.0.1:" + redisPort;
      int portA = freePort();
      int portB = freePort();
      Process a = node(portA, transport, "a");
      nodes.add(a);
      Process b = node(portB, transport, "b");
      nodes.add(b);
      awaitListening(a, portA, "a");
      awaitListening(b, portB, "b");

      List<String> received = new CopyOnWriteArrayList<>();
      AtomicReference<Throwable> subscriberFailure = new AtomicReference<>();
      Thread subscriber = new Thread(() -> {
        try {
          // On node A until it dies, then on node B from the last ID seen.
          readUntilEnd(hubUrl(portA) + "?topic=steady", null, received, "s-" + UPDATES);
          String last = received.isEmpty() ? "earliest" : received.get(received.size() - 1);
          readUntilEnd(hubUrl(portB) + "?topic=steady", last, received, "s-" + UPDATES);
        } catch (Throwable t) {
          subscriberFailure.set(t);
        }
      }, "test-subscriber");
      subscriber.setDaemon(true);
      subscriber.start();

      // The subscriber's stream is open once its first update arrives: publish until then.
      String token = new TokenIssuer(KEY).issue(List.of("*"), List.of());
      List<String> published = new ArrayList<>();
      int next = 1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      boolean killed = false;
      while (next <= UPDATES) {
        String id = "s-" + next;
        HttpResponse<String> res = publish(portB, token, id);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        published.add(id);
        next++;
        if (!killed && received.size() >= 100) {
          a.destroyForcibly(); // SIGKILL: no drain, no goodbye, mid-stream
          a.waitFor();
          killed = true;
        }
        if (!killed && received.isEmpty() && next > 50) {
          // Not subscribed yet: wait for the stream to come up rather than racing past it.
          while (received.isEmpty() && System.nanoTime() < deadline && subscriberFailure.get() == null) {
            Thread.sleep(10);
          }
        }
        Thread.sleep(2); // a steady stream, not a burst
      }
      assertThat(killed).as("node A was killed mid-stream").isTrue();
      subscriber.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      if (subscriberFailure.get() != null) {
        throw new AssertionError("subscriber failed", subscriberFailure.get());
      }
      assertThat(subscriber.isAlive()).as("subscriber still waiting; got %d", received.size()).isFalse();
      // Updates published before the subscription was open were not for it.
      int firstSeen = published.indexOf(received.get(0));
      assertThat(firstSeen).isNotNegative();
      assertThat(received).isEqualTo(published.subList(firstSeen, published.size()));
      assertThat(b.isAlive()).isTrue();
    } finally {
      for (Process p : nodes) {
        p.destroyForcibly();
        p.waitFor();
      }
      redis.destroyForcibly();
      redis.waitFor();
    }
  }

  /**
   * Reads one event stream, appending every event ID to {@code into}, until the stream ends (the
   * node died) or {@code stopAt} arrives. Returns normally either way.
   */
  private void readUntilEnd(String url, String lastEventId, List<String> into, String stopAt) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET();
    if (lastEventId != null) {
      r.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> res = http.send(r.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(res.statusCode()).isEqualTo(200);
    if (lastEventId != null) {
      assertThat(res.headers().firstValue("last-event-id")).hasValue(lastEventId);
    }
    try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
      String id = null;
      boolean data = false;
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if (data && id != null) {
            into.add(id);
            if (id.equals(stopAt)) {
              return;
            }
          }
          id = null;
          data = false;
        } else if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith("data:")) {
          data = true;
        }
      }
    } catch (IOException nodeDied) {
      // the connection was reset: same as the stream ending
    }
  }

  private HttpResponse<String> publish(int port, String token, String id) throws Exception {
    String body = "topic=steady&id=" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "&data=" + id;
    HttpRequest r = HttpRequest.newBuilder(URI.create(hubUrl(port)))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(WAIT_SECONDS))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  private static String hubUrl(int port) {
    return "http://127.0.0.1:" + port + "/.well-known/mercure";
  }

  private Process node(int port, String transport, String name) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), HeraldCommand.class.getName(),
        "serve", "--addr", "127.0.0.1:" + port, "--transport", transport,
        "--publisher-jwt-key", KEY, "--anonymous", "--io-threads", "1"));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_") || k.startsWith("MERCURE_"));
    return pb.redirectErrorStream(true).redirectOutput(dir.resolve("node-" + name + ".log").toFile()).start();
  }

  private void awaitListening(Process p, int port, String name) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new AssertionError("node " + name + " exited: " + Files.readString(dir.resolve("node-" + name + ".log")));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("node " + name + " not listening: " + Files.readString(dir.resolve("node-" + name + ".log")));
  }

  private static void awaitRedis(Process redis, int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      if (!redis.isAlive()) {
        throw new AssertionError("redis-server exited with " + redis.exitValue());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] reply = new byte[5];
        if (s.getInputStream().readNBytes(reply, 0, 5) == 5
            && new String(reply, StandardCharsets.US_ASCII).equals("+PONG")) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(20);
    }
    throw new AssertionError("redis-server did not answer PING");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
