package io.herald.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} process on a free loopback port, its files in a test's directory.
 * Can be killed and started again on the same port and directory (to test outages).
 */
public final class RedisServer implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final List<String> extraArgs;
  private final boolean tls;
  private Process process;

  private RedisServer(Path dir, int port, List<String> extraArgs, boolean tls) {
    this.dir = dir;
    this.port = port;
    this.extraArgs = extraArgs;
    this.tls = tls;
  }

  /** Starts a server without persistence. */
  public static RedisServer start(Path dir) throws Exception {
    return start(dir, "--save", "", "--appendonly", "no");
  }

  /** Starts a server with the given extra arguments (e.g. {@code --appendonly yes}). */
  public static RedisServer start(Path dir, String... args) throws Exception {
    RedisServer r = new RedisServer(dir, freePort(), List.of(args), false);
    r.start();
    return r;
  }

  /** Starts a TLS-only server with a fresh self-signed certificate (made with openssl). */
  public static RedisServer startTls(Path dir) throws Exception {
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
        "-days", "1", "-subj", "/CN=127.0.0.1")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile())
        .start();
    if (openssl.waitFor() != 0) {
      throw new IllegalStateException("openssl failed; see " + dir.resolve("openssl.log"));
    }
    RedisServer r = new RedisServer(dir, freePort(), List.of("--save", "", "--appendonly", "no",
        "--tls-cert-file", dir.resolve("cert.pem").toString(),
        "--tls-key-file", dir.resolve("key.pem").toString(),
        "--tls-ca-cert-file", dir.resolve("cert.pem").toString(),
        "--tls-auth-clients", "no"), true);
    r.start();
    return r;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** (Re)starts the process on the same port and directory and waits until it answers PING. */
  public synchronized void start() throws Exception {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("already running");
    }
    List<String> cmd = new ArrayList<>(List.of(
        "redis-server", "--port", tls ? "0" : Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--protected-mode", "no", "--logfile", ""));
    if (tls) {
      cmd.addAll(List.of("--tls-port", Integer.toString(port)));
    }
    cmd.addAll(extraArgs);
    process = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
        .start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue()
            + "; see " + dir.resolve("redis.log"));
      }
      String pong = tls ? (accepts() ? "+PONG" : null) : command("PING");
      if (pong != null && (pong.equals("+PONG") || pong.startsWith("-NOAUTH"))) { // up (maybe with a password)
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("redis-server did not answer PING");
      }
      Thread.sleep(20);
    }
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGKILL: no shutdown work at all. */
  public synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  /** Sends one inline command and returns the first reply line, or null when unreachable. */
  public String command(String inline) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\r') {
        line.append((char) c);
      }
      return line.toString();
    } catch (IOException e) {
      return null;
    }
  }

  /** The calls counted for {@code command} in {@code INFO commandstats} (0 when never called). */
  public long calls(String command, String... auth) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      StringBuilder req = new StringBuilder();
      if (auth.length > 0) {
        req.append("AUTH ").append(String.join(" ", auth)).append("\r\n");
      }
      req.append("INFO commandstats\r\n");
      out.write(req.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      java.io.BufferedReader in = new java.io.BufferedReader(
          new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      if (auth.length > 0) {
        in.readLine(); // +OK
      }
      String header = in.readLine(); // $<length>
      int remaining = Integer.parseInt(header.substring(1));
      char[] body = new char[remaining];
      int read = 0;
      while (read < remaining) {
        int n = in.read(body, read, remaining - read);
        if (n < 0) {
          break;
        }
        read += n;
      }
      for (String line : new String(body, 0, read).split("\r\n")) {
        if (line.startsWith("cmdstat_" + command + ":calls=")) {
          String v = line.substring(("cmdstat_" + command + ":calls=").length());
          return Long.parseLong(v.substring(0, v.indexOf(',')));
        }
      }
      return 0;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
