package io.herald.core.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.update.Update;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryHistoryTest {
  private static List<Update> updates(long from, long to) {
    List<Update> out = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      out.add(new Update("id" + s, List.of("t"), "d" + s, null, -1, false, s));
    }
    return out;
  }

  @Test
  void keepsTheNewestCapacityUpdatesAndForgetsTheEvictedIds() {
    MemoryHistory h = new MemoryHistory(3);
    h.append(updates(1, 5));
    assertThat(h.lastSequence()).isEqualTo(5);
    assertThat(h.lastEventId()).isEqualTo("id5");
    assertThat(h.read(0, 100, 10)).extracting(Update::sequence).containsExactly(3L, 4L, 5L);
    assertThat(h.locate("id1")).isEqualTo(ReplayStart.earliest());
    assertThat(h.locate("id4")).isEqualTo(new ReplayStart(4, "id4"));
  }

  @Test
  void readsArePagedAndBoundedAbove() {
    MemoryHistory h = new MemoryHistory(100);
    h.append(updates(1, 50));
    assertThat(h.read(10, 40, 5)).extracting(Update::sequence).containsExactly(11L, 12L, 13L, 14L, 15L);
    assertThat(h.read(38, 40, 5)).extracting(Update::sequence).containsExactly(39L, 40L);
    assertThat(h.read(50, 100, 5)).isEmpty();
  }

  @Test
  void aReusedIdPointsAtItsNewestUpdate() {
    MemoryHistory h = new MemoryHistory(10);
    h.append(List.of(new Update("same", List.of("t"), "a", null, -1, false, 1),
        new Update("same", List.of("t"), "b", null, -1, false, 2)));
    assertThat(h.locate("same").afterSequence()).isEqualTo(2);
  }

  @Test
  void sequencesMayHaveGapsAndReadsPageAcrossThem() {
    MemoryHistory h = new MemoryHistory(4);
    h.append(List.of(new Update("a", List.of("t"), null, null, -1, false, 10),
        new Update("b", List.of("t"), null, null, -1, false, 20),
        new Update("c", List.of("t"), null, null, -1, false, 30)));
    h.append(List.of(new Update("d", List.of("t"), null, null, -1, false, 35),
        new Update("e", List.of("t"), null, null, -1, false, 50)));
    assertThat(h.read(0, 100, 2)).extracting(Update::id).containsExactly("b", "c");
    assertThat(h.read(25, 40, 10)).extracting(Update::id).containsExactly("c", "d");
    assertThat(h.read(30, 100, 10)).extracting(Update::id).containsExactly("d", "e");
    assertThat(h.locate("a").isEarliest()).isTrue();
    assertThat(h.find("d").sequence()).isEqualTo(35);
    assertThat(h.find("a")).isNull();
  }

  @Test
  void aByteCapEvictsTheOldestToo() {
    Update big = new Update("x", List.of("t"), "y".repeat(1000), null, -1, false, 1);
    MemoryHistory h = new MemoryHistory(100, 3 * big.approximateSize() + 100);
    for (int s = 1; s <= 10; s++) {
      h.append(List.of(new Update("x" + s, List.of("t"), "y".repeat(1000), null, -1, false, s)));
    }
    assertThat(h.read(0, 100, 100)).extracting(Update::id).containsExactly("x8", "x9", "x10");
    assertThat(h.lastEventId()).isEqualTo("x10");
  }
}
