package io.herald.hub.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.sse.SseEncoder;
import io.herald.core.update.Update;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every ordering of history and live feed on {@link ReplayThenLive} alone: no channel, no event
 * loop. Its {@link ReplayThenLive.Output} here is a small budget that records what was written,
 * and drops the stream (closes the machine) when spent, as {@link SubscriberStream} does.
 */
class ReplayThenLiveTest {
  /** The last sequence dispatched before the stream joined: the replay covers 1..LIVE_FROM. */
  private static final long LIVE_FROM = 10;

  private final List<Delivery> made = new ArrayList<>();
  private final Out out = new Out(Long.MAX_VALUE);

  /** A stream's channel side reduced to a byte budget and a record of live writes. */
  private static final class Out implements ReplayThenLive.Output {
    final long budget;
    final List<Long> written = new ArrayList<>();
    ReplayThenLive machine;
    long charged;
    int admitted;
    int dropped;
    /** Writes left before the stream is dropped on a write (its channel budget spent). */
    int writesBeforeDrop = Integer.MAX_VALUE;

    Out(long budget) {
      this.budget = budget;
    }

    @Override
    public boolean admit(long cost) {
      if (machine.isClosed()) {
        return false;
      }
      if (charged + cost > budget) {
        drop();
        return false;
      }
      admitted++;
      return true;
    }

    @Override
    public boolean writeLive(Delivery d) {
      if (writesBeforeDrop-- <= 0) {
        drop();
        return false;
      }
      written.add(d.update().sequence());
      return true;
    }

    @Override
    public void charge(long delta) {
      charged += delta;
    }

    private void drop() {
      dropped++;
      machine.close();
    }
  }

  private ReplayThenLive machine(boolean replaying, Out o) {
    ReplayThenLive m = new ReplayThenLive(LIVE_FROM, replaying, o);
    o.machine = m;
    return m;
  }

  private Delivery live(long sequence) {
    Update u = new Update("id-" + sequence, List.of("https://example.com/t"), "data " + sequence, null, -1, false,
        sequence);
    Delivery d = Delivery.of(u, SseEncoder.encode(u));
    made.add(d);
    return d;
  }

  /** What holding {@code d} costs against the stream's budget: its SSE bytes and the queue entry. */
  private static long cost(Delivery d) {
    return d.event().readableBytes() + ReplayThenLive.PENDING_OVERHEAD;
  }

  @AfterEach
  void everyBufferIsBackToTheTestsOwnReference() {
    for (Delivery d : made) {
      assertThat(d.chunk().refCnt()).as("references to update %d", d.update().sequence()).isEqualTo(1);
      d.release();
    }
  }

  @Test
  void aLiveUpdateArrivingDuringTheReplayIsHeldThenWrittenAfterItInOrder() {
    ReplayThenLive m = machine(true, out);
    Delivery d11 = live(11);
    Delivery d12 = live(12);

    assertThat(m.offer(d11)).isFalse();
    assertThat(m.offer(d12)).isFalse();

    assertThat(out.written).isEmpty();
    assertThat(m.pendingCount()).isEqualTo(2);
    assertThat(d11.chunk().refCnt()).as("held: the machine owns one reference").isEqualTo(2);
    assertThat(out.charged).isEqualTo(cost(d11) + cost(d12));
    assertThat(m.pendingCharge()).isEqualTo(out.charged);
    assertThat(m.isReplaying()).isTrue();

    assertThat(m.historyDone(LIVE_FROM, false)).isTrue();
    assertThat(m.goLive()).isTrue();

    assertThat(out.written).containsExactly(11L, 12L);
    assertThat(m.phase()).isEqualTo(ReplayThenLive.Phase.LIVE);
    assertThat(m.pendingCount()).isZero();
    assertThat(m.pendingCharge()).isZero();
    assertThat(out.charged).isZero();
    assertThat(m.isReplaying()).isFalse();

    assertThat(m.offer(live(13))).as("live now: written at once").isTrue();
    assertThat(out.written).containsExactly(11L, 12L, 13L);
  }

  @Test
  void aLiveUpdateTheReplayCoversIsSkippedNotDuplicated() {
    ReplayThenLive m = machine(true, out);
    assertThat(m.offer(live(LIVE_FROM))).isFalse();
    assertThat(m.offer(live(LIVE_FROM - 3))).isFalse();
    assertThat(m.pendingCount()).as("covered: not even held").isZero();
    assertThat(out.charged).isZero();
    assertThat(out.admitted).isZero();

    m.goLive();
    assertThat(m.offer(live(LIVE_FROM))).as("still covered once live").isFalse();
    assertThat(out.written).isEmpty();
  }

  @Test
  void aReplayReachingExactlyTheLiveSequenceIsDoneAndTheNextOneComesLive() {
    ReplayThenLive m = machine(true, out);
    assertThat(m.historyDone(LIVE_FROM - 1, false)).as("one short of the boundary, page full").isFalse();
    assertThat(m.historyDone(LIVE_FROM, false)).as("at the boundary").isTrue();

    m.offer(live(LIVE_FROM + 1));
    m.goLive();
    assertThat(out.written).containsExactly(LIVE_FROM + 1);
  }

  @Test
  void aReplayEndingBeforeTheBoundaryIsDoneWhenTheHistoryHasNoMore() {
    ReplayThenLive m = machine(true, out);
    // History kept only up to 7 (a page shorter than asked for): nothing more will come from it.
    assertThat(m.historyDone(7, true)).isTrue();
    assertThat(m.historyDone(0, true)).as("empty history").isTrue();
    assertThat(m.historyDone(7, false)).as("a full page: read on").isFalse();

    m.offer(live(11));
    m.goLive();
    assertThat(out.written).containsExactly(11L);
  }

  @Test
  void aResumePointAfterTheBoundarySkipsWhatTheSubscriberSawEvenOnceHeld() {
    ReplayThenLive m = machine(true, out);
    // A lagging cluster node: the subscriber saw up to 13 elsewhere; 11..13 arrive before that
    // is known (the lookup runs off the loop), 14 after.
    m.offer(live(11));
    m.offer(live(12));
    m.resumeAfter(13);
    m.offer(live(13));
    m.offer(live(14));
    assertThat(m.skipThrough()).isEqualTo(13);
    assertThat(m.pendingCount()).as("11 and 12 were held before the resume point was known").isEqualTo(3);
    assertThat(m.historyDone(13, true)).isTrue();

    m.goLive();
    assertThat(out.written).containsExactly(14L);
    assertThat(out.charged).isZero();
  }

  @Test
  void aResumePointBeforeTheBoundaryLeavesItWhereItIs() {
    ReplayThenLive m = machine(true, out);
    m.resumeAfter(4);
    assertThat(m.skipThrough()).isEqualTo(LIVE_FROM);
    m.offer(live(LIVE_FROM));
    m.offer(live(LIVE_FROM + 1));
    m.goLive();
    assertThat(out.written).containsExactly(LIVE_FROM + 1);
  }

  @Test
  void withoutHistoryTheStreamIsLiveAtOnce() {
    ReplayThenLive m = machine(false, out);
    assertThat(m.phase()).isEqualTo(ReplayThenLive.Phase.LIVE);
    assertThat(m.isReplaying()).isFalse();
    assertThat(m.offer(live(11))).isTrue();
    assertThat(m.offer(live(12))).isTrue();
    assertThat(out.written).containsExactly(11L, 12L);
    assertThat(m.goLive()).as("nothing to end").isFalse();
    assertThat(out.admitted).as("live writes are admitted by the stream's write, not here").isZero();
  }

  @Test
  void aFailedPageNeverGoesLiveAndTheHeldUpdatesAreLetGoWhenTheStreamCloses() {
    ReplayThenLive m = machine(true, out);
    m.offer(live(11));
    m.offer(live(12));
    // The page read fails: Replay closes the channel and never calls goLive; the stream's close
    // releases the machine.
    assertThat(m.phase()).isEqualTo(ReplayThenLive.Phase.REPLAYING);
    m.release();

    assertThat(m.isClosed()).isTrue();
    assertThat(m.goLive()).isFalse();
    assertThat(out.written).isEmpty();
    assertThat(m.pendingCount()).isZero();
    assertThat(out.charged).isZero();
  }

  @Test
  void theHeldQueueIsBoundedInBytesAndOverflowingItDropsTheStream() {
    Delivery probe = live(11);
    Out small = new Out(2 * cost(probe) + cost(probe) / 2);
    ReplayThenLive m = machine(true, small);
    m.offer(probe);
    m.offer(live(12));
    assertThat(m.pendingCount()).isEqualTo(2);
    assertThat(small.dropped).isZero();

    Delivery third = live(13);
    assertThat(m.offer(third)).isFalse();

    assertThat(small.dropped).as("over the budget: the stream is dropped").isEqualTo(1);
    assertThat(m.isClosed()).isTrue();
    assertThat(m.pendingCount()).as("not held").isEqualTo(2);
    assertThat(third.chunk().refCnt()).as("not retained").isEqualTo(1);
    assertThat(m.goLive()).as("a dropped stream does not go live").isFalse();
    assertThat(m.offer(live(14))).isFalse();
    assertThat(small.admitted).isEqualTo(2);

    m.release();
    assertThat(small.written).isEmpty();
    assertThat(small.charged).isZero();
  }

  @Test
  void aStreamDroppedWhileWritingTheHeldUpdatesLetsGoOfTheRestUnwritten() {
    ReplayThenLive m = machine(true, out);
    m.offer(live(11));
    m.offer(live(12));
    m.offer(live(13));
    out.writesBeforeDrop = 1;

    assertThat(m.goLive()).isTrue();

    assertThat(out.written).containsExactly(11L);
    assertThat(out.dropped).isEqualTo(1);
    assertThat(m.isClosed()).isTrue();
    assertThat(m.pendingCount()).isZero();
    assertThat(out.charged).isZero();
  }

  @Test
  void closingDuringTheReplayEndsItAndHoldsNothingMore() {
    ReplayThenLive m = machine(true, out);
    m.offer(live(11));
    m.close();

    assertThat(m.isReplaying()).isFalse();
    assertThat(m.offer(live(12))).isFalse();
    assertThat(m.pendingCount()).isEqualTo(1);
    assertThat(m.goLive()).isFalse();
    assertThat(out.written).isEmpty();

    m.release();
    assertThat(m.pendingCount()).isZero();
    assertThat(out.charged).isZero();
  }

  @Test
  void deliveriesAfterCloseAreIgnored() {
    ReplayThenLive m = machine(false, out);
    m.offer(live(11));
    m.close();
    assertThat(m.offer(live(12))).isFalse();
    m.release();
    assertThat(m.offer(live(13))).isFalse();
    assertThat(out.written).containsExactly(11L);
    assertThat(out.charged).isZero();
  }

  @Test
  void goingLiveTwiceWritesTheHeldUpdatesOnce() {
    ReplayThenLive m = machine(true, out);
    m.offer(live(11));
    assertThat(m.goLive()).isTrue();
    assertThat(m.goLive()).isFalse();
    assertThat(out.written).containsExactly(11L);
  }
}
