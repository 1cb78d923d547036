package io.herald.store;

import static io.herald.store.TestUpdates.batch;
import static io.herald.store.TestUpdates.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.history.HistoryException;
import io.herald.core.history.ReplayStart;
import io.herald.core.update.Update;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableHistoryTest {
  @TempDir Path dir;

  private DurableHistory open() throws HistoryException {
    return DurableHistory.open(dir.resolve("data"), StoreOptions.defaults());
  }

  @Test
  void emptyHistoryHasNothing() throws Exception {
    try (DurableHistory h = open()) {
      assertThat(h.lastSequence()).isZero();
      assertThat(h.lastEventId()).isNull();
      assertThat(h.read(0, Long.MAX_VALUE, 10)).isEmpty();
      assertThat(h.locate("anything")).isEqualTo(ReplayStart.earliest());
    }
  }

  @Test
  void appendsReadsAndLocates() throws Exception {
    try (DurableHistory h = open()) {
      h.append(batch(1, 3));
      h.append(batch(4, 2));

      assertThat(h.lastSequence()).isEqualTo(5);
      assertThat(h.lastEventId()).isEqualTo("id-5");
      assertThat(h.read(0, Long.MAX_VALUE, 100)).containsExactlyElementsOf(batch(1, 5));
      assertThat(h.read(2, 4, 100)).containsExactlyElementsOf(batch(3, 2));
      assertThat(h.read(0, Long.MAX_VALUE, 2)).containsExactlyElementsOf(batch(1, 2));
      assertThat(h.read(5, Long.MAX_VALUE, 100)).isEmpty();
      assertThat(h.read(0, Long.MAX_VALUE, 0)).isEmpty();

      ReplayStart at3 = h.locate("id-3");
      assertThat(at3.afterSequence()).isEqualTo(3);
      assertThat(at3.foundId()).isEqualTo("id-3");
      assertThat(at3.isEarliest()).isFalse();
      assertThat(h.locate("nope")).isEqualTo(ReplayStart.earliest());
      assertThat(h.locate("earliest")).isEqualTo(ReplayStart.earliest());
    }
  }

  @Test
  void keepsEveryFieldOfAnUpdate() throws Exception {
    Update u =
        new Update("a", List.of("https://x/1", "https://x/{id}"), "l1\nl2", "ev", 3000, true, 1);
    try (DurableHistory h = open()) {
      h.append(List.of(u));
    }
    try (DurableHistory h = open()) {
      assertThat(h.read(0, 1, 1)).containsExactly(u);
    }
  }

  @Test
  void reopenKeepsEverythingAndTheSequence() throws Exception {
    try (DurableHistory h = open()) {
      for (int i = 0; i < 10; i++) {
        h.append(batch(1 + i * 100L, 100));
      }
    }
    try (DurableHistory h = open()) {
      assertThat(h.lastSequence()).isEqualTo(1000);
      assertThat(h.lastEventId()).isEqualTo("id-1000");
      assertThat(h.firstSequence()).isEqualTo(1);
      assertThat(h.read(0, Long.MAX_VALUE, 5000)).containsExactlyElementsOf(batch(1, 1000));
      assertThat(h.locate("id-500").afterSequence()).isEqualTo(500);
      h.append(batch(1001, 1));
      assertThat(h.read(999, Long.MAX_VALUE, 10)).containsExactlyElementsOf(batch(1000, 2));
    }
  }

  @Test
  void aDuplicateIdLocatesItsNewestUpdate() throws Exception {
    try (DurableHistory h = open()) {
      h.append(List.of(update("same", 1), update("other", 2), update("same", 3)));
      assertThat(h.locate("same").afterSequence()).isEqualTo(3);
    }
  }

  @Test
  void idsThatArePrefixesOfEachOtherStayApart() throws Exception {
    // "a\u0001": the lowest byte an ID can follow a prefix with (Update refuses NUL in an ID).
    String[] ids = {"a", "ab", "a\u0001", "a\u00ff", "b", "", "a".repeat(300), "a".repeat(301)};
    try (DurableHistory h = open()) {
      for (int i = 0; i < ids.length; i++) {
        h.append(List.of(update(ids[i], i + 1)));
      }
      for (int i = 0; i < ids.length; i++) {
        assertThat(h.locate(ids[i]).afterSequence()).as(ids[i]).isEqualTo(i + 1L);
      }
      assertThat(h.locate("a".repeat(299))).isEqualTo(ReplayStart.earliest());
      assertThat(h.locate("abc")).isEqualTo(ReplayStart.earliest());
    }
  }

  @Test
  void refusesSequencesThatDoNotIncrease() throws Exception {
    try (DurableHistory h = open()) {
      h.append(batch(1, 2));
      assertThatThrownBy(() -> h.append(batch(2, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sequence 2");
      assertThat(h.lastSequence()).isEqualTo(2);
    }
  }

  /**
   * Sequences may skip numbers (the transport keeps the hub's own events elsewhere): reads return
   * what is stored, full pages across gaps, and retention by count counts records, not numbers.
   */
  @Test
  void gapsInSequencesAreReadAcrossAndNotCountedByRetention() throws Exception {
    List<Update> sparse = new java.util.ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      sparse.add(TestUpdates.update("g-" + i, i * 100L));
    }
    try (DurableHistory h =
        DurableHistory.open(dir.resolve("data"), StoreOptions.defaults().withMaxCount(10))) {
      h.append(sparse.subList(0, 5));
      h.append(sparse.subList(5, 30));
      assertThat(h.read(0, Long.MAX_VALUE, 4)).extracting(Update::id)
          .containsExactly("g-21", "g-22", "g-23", "g-24");
      assertThat(h.read(2150, 2500, 100)).extracting(Update::sequence).containsExactly(2200L, 2300L, 2400L, 2500L);
      assertThat(h.read(0, Long.MAX_VALUE, 100)).hasSize(10);
      assertThat(h.locate("g-21")).isEqualTo(new ReplayStart(2100, "g-21"));
      assertThat(h.locate("g-20").isEarliest()).isTrue();
    }
    try (DurableHistory h =
        DurableHistory.open(dir.resolve("data"), StoreOptions.defaults().withMaxCount(10))) {
      h.append(List.of(TestUpdates.update("g-31", 3101)));
      assertThat(h.read(0, Long.MAX_VALUE, 100)).extracting(Update::id).hasSize(10).startsWith("g-22");
    }
  }

  @Test
  void pagesThroughALargeHistory() throws Exception {
    int total = 200_000;
    int batchSize = 4096;
    try (DurableHistory h = open()) {
      for (long s = 1; s <= total; s += batchSize) {
        h.append(batch(s, (int) Math.min(batchSize, total - s + 1)));
      }
      long after = h.locate("id-1000").afterSequence();
      long upTo = h.lastSequence();
      long expected = 1001;
      int pages = 0;
      while (true) {
        List<Update> page = h.read(after, upTo, 1000);
        if (page.isEmpty()) {
          break;
        }
        assertThat(page).hasSizeLessThanOrEqualTo(1000);
        for (Update u : page) {
          assertThat(u.sequence()).isEqualTo(expected);
          assertThat(u.id()).isEqualTo("id-" + expected);
          expected++;
        }
        after = page.get(page.size() - 1).sequence();
        pages++;
      }
      assertThat(expected).isEqualTo(total + 1L);
      assertThat(pages).isEqualTo((total - 1000 + 999) / 1000);
    }
  }

  @Test
  void closedHistoryRefusesCallsWithAClearError() throws Exception {
    DurableHistory h = open();
    h.append(batch(1, 1));
    h.close();
    h.close(); // idempotent
    assertThatThrownBy(() -> h.read(0, 1, 1))
        .isInstanceOf(HistoryException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> h.append(batch(2, 1))).isInstanceOf(HistoryException.class);
  }
}
