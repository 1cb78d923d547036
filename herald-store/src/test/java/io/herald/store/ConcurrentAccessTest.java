package io.herald.store;

import static io.herald.store.TestUpdates.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.history.ReplayStart;
import io.herald.core.update.Update;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers page through and locate in the history while the writer appends and the background
 * thread prunes: every page is contiguous and in order, every located ID is where it was stored.
 */
class ConcurrentAccessTest {
  private static final int TOTAL = 100_000;
  private static final int BATCH = 100;
  private static final int READERS = 2;
  @TempDir Path dir;

  @Test
  void readsStayConsistentWhileAppendingAndPruning() throws Exception {
    // Durability is not under test here; the OS policy keeps the test quick.
    StoreOptions options =
        StoreOptions.defaults().withMaxCount(3000).withFsync(FsyncPolicy.OS);
    try (DurableHistory h = DurableHistory.open(dir.resolve("data"), options)) {
      AtomicBoolean writing = new AtomicBoolean(true);
      ExecutorService pool = Executors.newFixedThreadPool(READERS);
      List<Future<Long>> readers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        readers.add(pool.submit(() -> readUntil(h, writing)));
      }
      for (long s = 1; s <= TOTAL; s += BATCH) {
        h.append(batch(s, BATCH));
      }
      writing.set(false);
      for (Future<Long> f : readers) {
        assertThat(f.get(2, TimeUnit.MINUTES)).as("pages read").isPositive();
      }
      pool.shutdown();
      h.enforceRetention();
      assertThat(h.read(0, Long.MAX_VALUE, 10_000))
          .containsExactlyElementsOf(batch(TOTAL - 3000 + 1, 3000));
      assertThat(h.indexEntriesForTest()).isEqualTo(3000);
    }
  }

  private static long readUntil(DurableHistory h, AtomicBoolean writing) throws Exception {
    long pages = 0;
    while (writing.get() || pages == 0) {
      long last = h.lastSequence();
      if (last == 0) {
        Thread.onSpinWait();
        continue;
      }
      long after = Math.max(0, last - ThreadLocalRandom.current().nextLong(5000));
      List<Update> page = h.read(after, last, 700);
      for (int i = 0; i < page.size(); i++) {
        Update u = page.get(i);
        assertThat(u.id()).isEqualTo("id-" + u.sequence());
        assertThat(u.sequence()).isGreaterThan(after).isLessThanOrEqualTo(last);
        if (i > 0) {
          assertThat(u.sequence()).isEqualTo(page.get(i - 1).sequence() + 1);
        }
      }
      long probe = Math.max(1, last - ThreadLocalRandom.current().nextLong(100));
      ReplayStart at = h.locate("id-" + probe);
      if (!at.isEarliest()) {
        assertThat(at.afterSequence()).isEqualTo(probe);
      }
      pages++;
    }
    return pages;
  }
}
