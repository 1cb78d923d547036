package io.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.transport.HistoryTransport;
import io.herald.core.update.Update;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk is a passing fault, not a reason to restart: publishes are refused while the store
 * has no room, and once room is back the store takes appends again by itself, the transport
 * reports itself available again (readiness) without waiting for a publish, and every
 * acknowledged update is still there, also after a restart.
 *
 * <p>The disk is a real 20 MB tmpfs, grown to 64 MB while the store is open (CI runs as root).
 * Where mounting is not permitted, the same test runs against the engine's own space cap
 * ({@link StoreOptions#maxDiskBytes}, which fails writes exactly as a full disk does), raised at
 * runtime: it never skips.
 */
class DiskFullRecoveryTest {
  private static final int MAX_PUBLISHES = 20_000;
  private static final int PUBLISHES_AFTER = 50;
  /** A safety net for a recovery that should take about a second, not a measured duration. */
  private static final long RECOVERY_WAIT_MILLIS = 60_000;
  private static final long PUBLISH_WAIT_SECONDS = 30;

  @TempDir Path dir;

  @Test
  void theStoreRecoversByItselfOnceSpaceIsBackAndLosesNothingAcknowledged() throws Exception {
    try (Disk disk = Disk.small(dir)) {
      Path data = disk.root().resolve("data");
      Random random = new Random(14);
      List<Update> acknowledged = new ArrayList<>();
      try (DurableHistory history = DurableHistory.open(data, disk.options())) {
        HistoryTransport transport = new HistoryTransport(history);
        try {
          Throwable refused = null;
          for (int i = 0; i < MAX_PUBLISHES && refused == null; i++) {
            try {
              acknowledged.add(publish(transport, "full-" + i, random));
            } catch (ExecutionException e) {
              refused = e.getCause();
            }
          }
          assertThat(refused).as("the store never ran out of space").isNotNull();
          assertThat(refused.getMessage()).contains("history unavailable");
          assertThat(transport.isAvailable()).isFalse();
          // Still refused while there is no room.
          assertThat(publishFails(transport, "still-full", random)).isTrue();

          disk.grow(history);

          // Readiness follows without anyone publishing.
          long deadline = System.currentTimeMillis() + RECOVERY_WAIT_MILLIS;
          while (!transport.isAvailable() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
          }
          assertThat(transport.isAvailable()).as("available again once space is back").isTrue();
          for (int i = 0; i < PUBLISHES_AFTER; i++) {
            acknowledged.add(publish(transport, "after-" + i, random));
          }
          assertThat(TestUpdates.readAll(history)).containsExactlyElementsOf(acknowledged);
          Update last = acknowledged.get(acknowledged.size() - 1);
          assertThat(history.locate(last.id()).afterSequence()).isEqualTo(last.sequence());
        } finally {
          transport.close();
        }
      }
      // Nothing acknowledged is lost and nothing refused comes back after a restart.
      try (DurableHistory history = DurableHistory.open(data, disk.options())) {
        assertThat(TestUpdates.readAll(history)).containsExactlyElementsOf(acknowledged);
      }
    }
  }

  private static Update publish(HistoryTransport transport, String id, Random random) throws Exception {
    return transport.publish(incompressible(id, random)).get(PUBLISH_WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static boolean publishFails(HistoryTransport transport, String id, Random random) throws Exception {
    try {
      publish(transport, id, random);
      return false;
    } catch (ExecutionException e) {
      return true;
    }
  }


  /** 16 KB of random letters, so compression cannot hide the bytes from the disk. */
  private static Update incompressible(String id, Random random) {
    StringBuilder sb = new StringBuilder(16 * 1024);
    for (int i = 0; i < 16 * 1024; i++) {
      sb.append((char) ('a' + random.nextInt(26)));
    }
    return new Update(id, List.of("https://example.com/full"), sb.toString(), null, -1, false, 0);
  }

  /** The small disk under test: a real tmpfs when this process may mount, else the engine cap. */
  private interface Disk extends AutoCloseable {
    Path root();

    StoreOptions options();

    void grow(DurableHistory history) throws Exception;

    @Override
    void close() throws Exception;

    static Disk small(Path dir) throws Exception {
      Path mount = dir.resolve("fs");
      Files.createDirectories(mount);
      // -Dherald.test.spaceCap=true runs the fallback on a machine that could mount.
      if (!Boolean.getBoolean("herald.test.spaceCap")
          && run("mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", mount.toString())) {
        return new Disk() {
          @Override
          public Path root() {
            return mount;
          }

          @Override
          public StoreOptions options() {
            return StoreOptions.defaults().withMemtableBytes(1 << 20);
          }

          @Override
          public void grow(DurableHistory history) throws Exception {
            assertThat(run("mount", "-o", "remount,size=64m", mount.toString())).isTrue();
          }

          @Override
          public void close() throws Exception {
            run("umount", mount.toString());
          }
        };
      }
      return new Disk() {
        @Override
        public Path root() {
          return dir;
        }

        @Override
        public StoreOptions options() {
          return StoreOptions.defaults().withMaxDiskBytes(256 * 1024).withMemtableBytes(64 * 1024);
        }

        @Override
        public void grow(DurableHistory history) {
          history.maxDiskBytes(64L << 20);
        }

        @Override
        public void close() {}
      };
    }

    private static boolean run(String... command) throws Exception {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
  }
}
