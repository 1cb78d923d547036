package io.herald.store;

import static io.herald.store.TestUpdates.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.herald.core.history.HistoryException;
import io.herald.core.history.ReplayStart;
import io.herald.core.update.Update;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real engine fault, injected portably: RocksDB's own space accounting ({@link
 * StoreOptions#maxDiskBytes}) makes the engine fail writes exactly as it does on a full disk
 * ("no space"), without a tiny filesystem, root, or mocks.
 */
class StoreFaultTest {
  private static final int MAX_BATCHES = 10_000;
  @TempDir Path dir;

  @Test
  void aFullStoreFailsTheAppendCleanlyAndKeepsServingReads() throws Exception {
    Path data = dir.resolve("data");
    StoreOptions tiny =
        StoreOptions.defaults().withMaxDiskBytes(256 * 1024).withMemtableBytes(64 * 1024);
    Random random = new Random(42);
    List<Update> acknowledged = new ArrayList<>();
    List<Update> refused = null;
    HistoryException failure = null;
    try (DurableHistory h = DurableHistory.open(data, tiny)) {
      long seq = 1;
      for (int b = 0; b < MAX_BATCHES && failure == null; b++) {
        List<Update> batch = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          batch.add(incompressible("id-" + (seq + i), seq + i, random));
        }
        try {
          h.append(batch);
          acknowledged.addAll(batch);
          seq += batch.size();
        } catch (HistoryException e) {
          failure = e;
          refused = batch;
        }
      }
      if (failure == null) {
        fail("the store never ran out of space");
      }
      assertThat(failure.getMessage())
          .doesNotContain("\n")
          .contains(data.toAbsolutePath().toString())
          .contains("cannot store 8 updates");

      // Reads keep working, and show exactly what was acknowledged.
      long lastAcked = acknowledged.get(acknowledged.size() - 1).sequence();
      assertThat(h.lastSequence()).isEqualTo(lastAcked);
      assertThat(TestUpdates.readAll(h)).containsExactlyElementsOf(acknowledged);
      assertThat(h.locate(refused.get(0).id())).isEqualTo(ReplayStart.earliest());
      assertThat(h.locate(acknowledged.get(0).id()).afterSequence()).isEqualTo(1);
    }

    // After a restart with room again, nothing of the refused batch comes back, and the
    // sequence continues where the acknowledged updates end.
    try (DurableHistory h = DurableHistory.open(data, StoreOptions.defaults())) {
      assertThat(TestUpdates.readAll(h)).containsExactlyElementsOf(acknowledged);
      assertThat(h.locate(refused.get(0).id())).isEqualTo(ReplayStart.earliest());
      long next = h.lastSequence() + 1;
      h.append(batch(next, 3));
      assertThat(h.read(next - 1, Long.MAX_VALUE, 10)).containsExactlyElementsOf(batch(next, 3));
    }
  }


  /** Random text, so compression cannot hide the bytes from the space limit. */
  private static Update incompressible(String id, long seq, Random random) {
    StringBuilder sb = new StringBuilder(4096);
    for (int i = 0; i < 4096; i++) {
      sb.append((char) ('a' + random.nextInt(26)));
    }
    return new Update(id, List.of("https://example.com/x"), sb.toString(), null, -1, false, seq);
  }
}
