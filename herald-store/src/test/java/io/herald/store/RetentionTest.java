package io.herald.store;

import static io.herald.store.TestUpdates.batch;
import static io.herald.store.TestUpdates.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.history.ReplayStart;
import io.herald.core.update.Update;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
  @TempDir Path dir;

  private Path data() {
    return dir.resolve("data");
  }

  @Test
  void pruneByCountWhileRunning() throws Exception {
    try (DurableHistory h = DurableHistory.open(data(), StoreOptions.defaults().withMaxCount(100))) {
      for (long s = 1; s <= 5000; s += 50) {
        h.append(batch(s, 50));
      }
      assertThat(h.firstSequence()).isEqualTo(4901);
      assertThat(h.read(0, Long.MAX_VALUE, 1000)).containsExactlyElementsOf(batch(4901, 100));
      assertThat(h.locate("id-10")).isEqualTo(ReplayStart.earliest());
      assertThat(h.locate("id-4900")).isEqualTo(ReplayStart.earliest());
      assertThat(h.locate("id-4901").afterSequence()).isEqualTo(4901);

      h.enforceRetention();
      // The ID index is pruned with the records, so it never grows past the limit either.
      assertThat(h.indexEntriesForTest()).isEqualTo(100);
    }
    // What was pruned is gone from disk: a larger limit does not bring it back.
    try (DurableHistory h =
        DurableHistory.open(data(), StoreOptions.defaults().withMaxCount(1_000_000))) {
      assertThat(h.firstSequence()).isEqualTo(4901);
      assertThat(h.lastSequence()).isEqualTo(5000);
      assertThat(h.locate("id-10")).isEqualTo(ReplayStart.earliest());
    }
  }

  @Test
  void physicalPruningKeepsUpWithoutAnExplicitSweep() throws Exception {
    StoreOptions options =
        StoreOptions.defaults().withMaxCount(10).withSweepInterval(Duration.ofHours(1));
    try (DurableHistory h = DurableHistory.open(data(), options)) {
      for (long s = 1; s <= 100_000; s += 1000) {
        h.append(batch(s, 1000));
      }
      // Appends hand deletion to the background thread once enough is pruned; it catches up
      // without a sweep (the sweep interval is far longer than this test).
      awaitIndexEntriesAtMost(h, 10 + 1024);
      assertThat(h.read(0, Long.MAX_VALUE, 100)).containsExactlyElementsOf(batch(99_991, 10));
    }
  }

  @Test
  void pruneByAgeOnAppendAndOnTheSweep() throws Exception {
    TestUpdates.ManualClock clock = new TestUpdates.ManualClock();
    StoreOptions options =
        StoreOptions.defaults()
            .withMaxAge(Duration.ofMinutes(10))
            .withClock(clock)
            .withSweepInterval(Duration.ofMillis(20));
    try (DurableHistory h = DurableHistory.open(data(), options)) {
      h.append(batch(1, 10));
      clock.advance(Duration.ofMinutes(6));
      h.append(batch(11, 10));
      assertThat(h.firstSequence()).isEqualTo(1);

      clock.advance(Duration.ofMinutes(5)); // the first ten are now 11 minutes old
      h.append(batch(21, 1));
      assertThat(h.firstSequence()).isEqualTo(11);
      assertThat(h.read(0, Long.MAX_VALUE, 100)).containsExactlyElementsOf(batch(11, 11));

      // Nobody publishes: the background sweep alone must apply the age limit.
      clock.advance(Duration.ofMinutes(20));
      awaitFirstSequence(h, 22);
      assertThat(h.read(0, Long.MAX_VALUE, 100)).isEmpty();
      assertThat(h.locate("id-21")).isEqualTo(ReplayStart.earliest());
      // The position survives: the next append continues the sequence.
      assertThat(h.lastSequence()).isEqualTo(21);
      assertThat(h.lastEventId()).isEqualTo("id-21");
      h.append(batch(22, 1));
      assertThat(h.read(0, Long.MAX_VALUE, 100)).containsExactlyElementsOf(batch(22, 1));
    }
  }

  @Test
  void agedOutHistoryKeepsItsSequenceAcrossRestart() throws Exception {
    TestUpdates.ManualClock clock = new TestUpdates.ManualClock();
    StoreOptions options =
        StoreOptions.defaults().withMaxAge(Duration.ofMinutes(1)).withClock(clock);
    try (DurableHistory h = DurableHistory.open(data(), options)) {
      h.append(batch(1, 5000));
      clock.advance(Duration.ofMinutes(2));
      h.enforceRetention();
      assertThat(h.read(0, Long.MAX_VALUE, 10)).isEmpty();
    }
    try (DurableHistory h = DurableHistory.open(data(), options)) {
      assertThat(h.lastSequence()).isEqualTo(5000);
      assertThat(h.read(0, Long.MAX_VALUE, 10)).isEmpty();
      assertThat(h.indexEntriesForTest()).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void pruneByBytes() throws Exception {
    String data = "x".repeat(1000);
    long budget = 50_000;
    try (DurableHistory h =
        DurableHistory.open(data(), StoreOptions.defaults().withMaxBytes(budget))) {
      long seq = 1;
      for (int b = 0; b < 20; b++) {
        List<Update> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++, seq++) {
          batch.add(new Update("id-" + seq, List.of("t"), data, null, -1, false, seq));
        }
        h.append(batch);
      }
      List<Update> kept = h.read(0, Long.MAX_VALUE, 1000);
      long keptBytes = 0;
      for (Update u : kept) {
        keptBytes += accounted(u);
      }
      assertThat(keptBytes).isLessThanOrEqualTo(budget);
      // As many as fit: one more would break the budget.
      Update previous = new Update("id-" + (kept.get(0).sequence() - 1), List.of("t"), data,
          null, -1, false, kept.get(0).sequence() - 1);
      assertThat(keptBytes + accounted(previous)).isGreaterThan(budget);
      assertThat(kept.get(kept.size() - 1).sequence()).isEqualTo(200);
      assertThat(h.locate("id-1")).isEqualTo(ReplayStart.earliest());
    }
  }

  @Test
  void pruningAnIdKeepsTheIndexEntryOfItsNewerDuplicate() throws Exception {
    try (DurableHistory h = DurableHistory.open(data(), StoreOptions.defaults().withMaxCount(5))) {
      h.append(List.of(update("dup", 1)));
      h.append(batch(2, 3));
      h.append(List.of(update("dup", 5)));
      h.append(batch(6, 5)); // prunes 1..5: the entry for "dup" now points at 5, pruned too
      h.enforceRetention();
      assertThat(h.locate("dup")).isEqualTo(ReplayStart.earliest());
    }
    try (DurableHistory h = DurableHistory.open(data(), StoreOptions.defaults().withMaxCount(5))) {
      h.append(List.of(update("dup2", 11)));
      h.append(batch(12, 3));
      h.append(List.of(update("dup2", 15)));
      h.append(batch(16, 4)); // prunes 11 only; "dup2" at 15 must stay locatable
      h.enforceRetention();
      assertThat(h.firstSequence()).isEqualTo(15);
      assertThat(h.locate("dup2").afterSequence()).isEqualTo(15);
    }
  }

  private static long accounted(Update u) {
    byte[] v = RecordCodec.encode(u, 0, 0, 0);
    return RecordCodec.accountedSize(v, RecordCodec.utf8(u.id()).length);
  }

  private static void awaitIndexEntriesAtMost(DurableHistory h, long most) throws Exception {
    // Waits for the background thread; the bound only keeps a broken build from hanging.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (h.indexEntriesForTest() > most && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(h.indexEntriesForTest()).isLessThanOrEqualTo(most);
  }

  private static void awaitFirstSequence(DurableHistory h, long expected)
      throws InterruptedException {
    // Waits for the sweeper thread; the bound only keeps a broken build from hanging.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (h.firstSequence() != expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(h.firstSequence()).isEqualTo(expected);
  }
}
