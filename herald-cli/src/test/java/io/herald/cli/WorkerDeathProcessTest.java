package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.cli.ServeProcessTest.Herald;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, finding 5: a hub whose worker dies must not stay up half-alive. A child JVM runs the
 * real {@code herald serve} and kills one of its threads ({@link KillWorkerMain}); the process
 * must exit with {@link FatalExit#EXIT_CODE}, naming the thread on stderr. And {@code serve}
 * warns when the JVM would survive an {@link OutOfMemoryError}.
 *
 * <p>The bound on the wait is a safety net for a busy machine; nothing asserts on elapsed time.
 */
class WorkerDeathProcessTest {
  private static final long WAIT_SECONDS = 60;
  private static final String KEY = "worker-death-test-secret-long-enough-for-hs256";
  private static final String OOM_WARNING = "without -XX:+ExitOnOutOfMemoryError";

  @TempDir Path dir;

  @Test
  void killingTheWriterStopsTheProcessWithExit70AndNamesTheThread() throws Exception {
    Died run = kill("herald-writer", "--history", "memory");
    assertThat(run.stdout).contains("killing herald-writer");
    assertThat(run.code).as("exit code; stderr:%n%s", run.stderr).isEqualTo(FatalExit.EXIT_CODE);
    // The cause is ThreadDeath, or what it turned into when it hit the thread inside a lock.
    assertThat(run.stderr).contains("thread 'herald-writer' died");
  }

  @Test
  void killingTheTimerStopsTheProcessToo() throws Exception {
    Died run = kill("herald-timer-1", "--history", "memory", "--demo");
    assertThat(run.code).as("exit code; stderr:%n%s", run.stderr).isEqualTo(FatalExit.EXIT_CODE);
    assertThat(run.stderr).contains("thread 'herald-timer-1' died");
  }

  /** Netty survives what a handler throws, but not what escapes an event loop's own I/O step. */
  @Test
  void killingAnEventLoopStopsTheProcessToo() throws Exception {
    Died run = kill("herald-io-1", "--history", "memory");
    assertThat(run.code).as("exit code; stderr:%n%s", run.stderr).isEqualTo(FatalExit.EXIT_CODE);
    assertThat(run.stderr).contains("thread 'herald-io-1' died");
  }

  @Test
  void serveWarnsOnlyWhenTheJvmWouldSurviveAnOutOfMemoryError() throws Exception {
    try (Herald plain = Herald.serve(dir, Map.of(), List.of("-Xmx256m"), "--history", "memory",
        "--publisher-jwt-key", KEY)) {
      assertThat(Files.readString(plain.stderr)).contains(OOM_WARNING);
    }
    try (Herald launched = Herald.serve(dir, Map.of(), List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"),
        "--history", "memory", "--publisher-jwt-key", KEY)) {
      String stderr = Files.readString(launched.stderr);
      assertThat(stderr).contains("started on").doesNotContain(OOM_WARNING);
    }
  }

  private record Died(int code, String stdout, String stderr) {}

  /** Starts serve in a {@link KillWorkerMain} child that kills {@code thread}; waits for its exit. */
  private Died kill(String thread, String... extra) throws Exception {
    int port = freePort();
    List<String> args = new java.util.ArrayList<>(List.of(thread, Integer.toString(port),
        "serve", "--addr", "127.0.0.1:" + port, "--publisher-jwt-key", KEY));
    args.addAll(List.of(extra));
    Path out = Files.createTempFile(dir, "stdout", ".txt");
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    Process p = Herald.builder(dir, Map.of(), List.of("-Xmx256m"), KillWorkerMain.class, args)
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    try {
      p.getOutputStream().close();
      boolean exited = p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(exited).as("the hub exited after its %s died; stdout:%n%s%nstderr:%n%s",
          thread, Files.readString(out), Files.readString(err)).isTrue();
      return new Died(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
