package io.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.update.Update;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SIGKILLs a process that is publishing through HistoryTransport into the durable history, then
 * reopens the store: every update whose acknowledgement the process printed must be replayed, at
 * its sequence, in order, with nothing torn after it. Twice on the same directory, so the second
 * run also proves that a store recovered from a kill keeps working.
 */
class CrashRecoveryTest {
  private static final int ACKS_BEFORE_KILL = 3000;
  private static final int ROUNDS = 2;
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(FsyncPolicy.class)
  void everyAcknowledgedUpdateSurvivesSigkill(FsyncPolicy policy) throws Exception {
    Path data = dir.resolve("data");
    Map<Long, String> acknowledged = new LinkedHashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      Process child = start(data, policy, "r" + round);
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String ready = in.readLine();
        assertThat(ready).as("child output").startsWith("ready ");
        int acks = 0;
        String line;
        while (acks < ACKS_BEFORE_KILL && (line = in.readLine()) != null) {
          String[] f = line.split(" ");
          acknowledged.put(Long.parseLong(f[1]), f[2]);
          acks++;
        }
        assertThat(acks).as("acks before the child stopped").isEqualTo(ACKS_BEFORE_KILL);
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, mid-publish
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
      try (DurableHistory h = DurableHistory.open(data, StoreOptions.defaults())) {
        List<Update> replay = TestUpdates.readAll(h);
        // Contiguous from 1: nothing torn, nothing missing in the middle.
        for (int i = 0; i < replay.size(); i++) {
          assertThat(replay.get(i).sequence()).isEqualTo(i + 1L);
        }
        for (Map.Entry<Long, String> e : acknowledged.entrySet()) {
          assertThat(e.getKey()).isLessThanOrEqualTo(replay.size());
          assertThat(replay.get((int) (e.getKey() - 1)).id()).isEqualTo(e.getValue());
        }
        assertThat(h.lastSequence()).isEqualTo(replay.size());
      }
    }
  }

  private static Process start(Path data, FsyncPolicy policy, String run) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CrashPublisher.class.getName());
    cmd.add(data.toString());
    cmd.add(policy.name());
    cmd.add(run);
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

}
