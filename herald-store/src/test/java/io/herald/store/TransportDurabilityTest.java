package io.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.history.HistoryException;
import io.herald.core.transport.HistoryTransport;
import io.herald.core.update.Update;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Core's HistoryTransport (group commit) over the durable history, with concurrent publishers. */
class TransportDurabilityTest {
  private static final int PUBLISHERS = 16;
  private static final int PER_PUBLISHER = 500;
  @TempDir Path dir;

  @Test
  void everyAcknowledgedUpdateIsReplayedInOrder() throws Exception {
    Path data = dir.resolve("data");
    Map<String, Update> acknowledged = new ConcurrentHashMap<>();
    List<Update> dispatched = new CopyOnWriteArrayList<>();
    try (DurableHistory history = DurableHistory.open(data, StoreOptions.defaults());
        HistoryTransport transport = new HistoryTransport(history)) {
      transport.dispatchTo(dispatched::add);
      ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
      List<Future<List<Update>>> results = new ArrayList<>();
      for (int p = 0; p < PUBLISHERS; p++) {
        int publisher = p;
        results.add(
            pool.submit(
                () -> {
                  List<Update> mine = new ArrayList<>();
                  for (int i = 0; i < PER_PUBLISHER; i++) {
                    Update u =
                        new Update(
                            "p" + publisher + "-" + i,
                            List.of("https://example.com/p/" + publisher),
                            "payload " + i,
                            null,
                            -1,
                            false,
                            0);
                    Update stored = transport.publish(u).join();
                    assertThat(stored.sequence()).isPositive();
                    mine.add(stored);
                  }
                  return mine;
                }));
      }
      for (Future<List<Update>> f : results) {
        List<Update> mine = f.get(2, TimeUnit.MINUTES);
        // One publisher waiting for each ack sees strictly increasing sequences.
        for (int i = 1; i < mine.size(); i++) {
          assertThat(mine.get(i).sequence()).isGreaterThan(mine.get(i - 1).sequence());
        }
        mine.forEach(u -> acknowledged.put(u.id(), u));
      }
      pool.shutdown();
      assertThat(acknowledged).hasSize(PUBLISHERS * PER_PUBLISHER);
      assertReplayHoldsExactly(history, acknowledged);
    }
    // And after a restart.
    try (DurableHistory history = DurableHistory.open(data, StoreOptions.defaults())) {
      assertReplayHoldsExactly(history, acknowledged);
    }
    assertThat(dispatched).hasSize(PUBLISHERS * PER_PUBLISHER);
  }

  private static void assertReplayHoldsExactly(DurableHistory h, Map<String, Update> acked)
      throws HistoryException {
    List<Update> replay = new ArrayList<>();
    long after = 0;
    while (true) {
      List<Update> page = h.read(after, h.lastSequence(), 333);
      if (page.isEmpty()) {
        break;
      }
      replay.addAll(page);
      after = page.get(page.size() - 1).sequence();
    }
    assertThat(replay).hasSize(acked.size());
    for (int i = 0; i < replay.size(); i++) {
      Update u = replay.get(i);
      assertThat(u.sequence()).isEqualTo(i + 1L); // in order, no gap, no duplicate
      assertThat(u).isEqualTo(acked.get(u.id()));
    }
    assertThat(h.locate(Collections.max(acked.values(), (a, b) -> Long.compare(a.sequence(),
        b.sequence())).id()).afterSequence()).isEqualTo(acked.size());
  }
}
