package io.herald.hub.subscribe;

import java.util.ArrayDeque;

/**
 * The order of one subscriber's updates: history first, then the live feed, stitched together.
 * Decides what a {@link SubscriberStream} writes, holds or skips; the stream does the writing.
 *
 * <p><b>Invariant.</b> Every update the subscriber may see is delivered exactly once, in
 * sequence order, with no gap between the replayed history and the live stream. It holds because
 * of these rules, each there for one way it could break:
 *
 * <ul>
 *   <li><b>One boundary, {@link #liveFrom()}.</b> The last sequence the stream's event loop had
 *       dispatched when the stream joined it. Updates up to it can only come from history (they
 *       were dispatched before the stream could hear them); later ones only from the live feed
 *       (the replay reads no further, see {@link #historyDone}). Each update therefore has exactly
 *       one source: no duplicate, and since both sources see every sequence on their side, no
 *       gap.</li>
 *   <li><b>Live updates wait while replaying.</b> A live update that arrives during the replay is
 *       newer than every replayed one; written at once it would overtake them. It is held, in
 *       arrival (= sequence) order, and written by {@link #goLive()} right after the last replayed
 *       one.</li>
 *   <li><b>Nothing at or before {@link #skipThrough()} is written live.</b> It starts at
 *       {@link #liveFrom()} (the replay covers those), and {@link #resumeAfter} raises it to the
 *       subscriber's resume point when that is later: a cluster node lagging the shared log may
 *       dispatch updates the subscriber has already seen elsewhere. The rule is applied both when
 *       an update is offered and when a held one is released, because the resume point may be
 *       learnt after updates were already held.</li>
 *   <li><b>The held queue is bounded in bytes.</b> Each held update is charged its bytes plus
 *       {@link #PENDING_OVERHEAD} to the stream's budgets before it is held ({@link Output#admit});
 *       when they are spent the stream is dropped (the client resumes with {@code Last-Event-ID}
 *       and loses nothing) rather than holding without limit or skipping silently.</li>
 *   <li><b>A closed stream delivers nothing.</b> Once {@link #close()}d (dropped, finished, its
 *       channel gone) every offer is ignored, and {@link #release()} lets go of what was held, so
 *       no buffer outlives the stream.</li>
 *   <li><b>A replay that fails never goes live.</b> Going live after a failed page would leave a
 *       gap between what was replayed and the live feed; the stream stays {@link
 *       Phase#REPLAYING} until it is closed (see {@link Replay}), and its client retries.</li>
 * </ul>
 *
 * <p>Touches no channel: the stream's side (budgets, writes, counting) is its {@link Output}.
 * It owns one reference to each update it holds, taken when it holds it and given back when it
 * writes or lets go of it. Lives on the stream's event loop and is changed only from there; {@link
 * Replay} also reads {@link #liveFrom()} (final) and {@link #isReplaying()} from the replay
 * executor before reading a page, where a stale answer costs at most one page read, since the
 * page is written on the loop only after asking again.
 */
final class ReplayThenLive {
  /** Where the stream is. */
  enum Phase {
    /** Replaying history; live updates are held. */
    REPLAYING,
    /** Writing live updates as they come. */
    LIVE,
    /** Ended: nothing more is written. */
    CLOSED
  }

  /** A live update waiting in the held queue during a replay: one reference in a deque, rounded up. */
  static final long PENDING_OVERHEAD = 16;

  /** What the stream's channel side does for this machine. */
  interface Output {
    /**
     * Whether {@code cost} more bytes may be queued by the stream; when not, the stream is
     * dropped (and this machine {@link #close()}d).
     */
    boolean admit(long cost);

    /**
     * Writes a live update (the stream takes a reference of its own if it needs one). Returns
     * whether it was written; when not, the stream was dropped.
     */
    boolean writeLive(Delivery d);

    /** Adds {@code delta} bytes to what the stream's connection and the hub have queued. */
    void charge(long delta);
  }

  private final Output out;
  private final long liveFrom;
  private final ArrayDeque<Delivery> pending = new ArrayDeque<>();
  /** What the held queue is charged: its bytes and {@link #PENDING_OVERHEAD} per entry. */
  private long pendingCharge;
  private long skipThrough;
  private Phase phase;

  /**
   * @param liveFrom the last sequence dispatched before the stream joined its loop
   * @param replaying whether the stream replays history first (it resumes) or is live at once
   */
  ReplayThenLive(long liveFrom, boolean replaying, Output out) {
    this.out = out;
    this.liveFrom = liveFrom;
    this.skipThrough = liveFrom;
    this.phase = replaying ? Phase.REPLAYING : Phase.LIVE;
  }

  Phase phase() {
    return phase;
  }

  boolean isClosed() {
    return phase == Phase.CLOSED;
  }

  /** Updates with a sequence up to this one come from history; later ones from the live feed. */
  long liveFrom() {
    return liveFrom;
  }

  /** Updates up to this sequence are never written live. */
  long skipThrough() {
    return skipThrough;
  }

  /** What the held updates are charged now (counts against the stream's own budget). */
  long pendingCharge() {
    return pendingCharge;
  }

  /** How many live updates are held. */
  int pendingCount() {
    return pending.size();
  }

  /**
   * Records where the subscriber's {@code Last-Event-ID} is in the log: nothing at or before it
   * is written live, so a node that had not yet dispatched that far sends no duplicates.
   */
  void resumeAfter(long sequence) {
    if (sequence > skipThrough) {
      skipThrough = sequence;
    }
  }

  /**
   * Offers a live update: written when live, held when replaying (if the budgets allow), skipped
   * when covered or closed. Returns whether it was written (and a flush is owed).
   */
  boolean offer(Delivery d) {
    if (d.update().sequence() <= skipThrough) {
      return false; // covered by the replay, or seen before the subscriber resumed
    }
    switch (phase) {
      case LIVE -> {
        return out.writeLive(d);
      }
      case REPLAYING -> {
        long cost = d.event().readableBytes() + PENDING_OVERHEAD;
        if (!out.admit(cost)) {
          return false;
        }
        d.retain();
        pending.add(d);
        pendingCharge += cost;
        out.charge(cost);
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  /** Whether the stream still replays: history may be read and replayed updates written. */
  boolean isReplaying() {
    return phase == Phase.REPLAYING;
  }

  /**
   * Whether the replay has reached the live boundary: the history had no more ({@code
   * lastPage}: a page shorter than asked for) or the replay reached {@link #liveFrom()}.
   *
   * @param replayedThrough the sequence of the last update read from history (replayed or not)
   */
  boolean historyDone(long replayedThrough, boolean lastPage) {
    return lastPage || replayedThrough >= liveFrom;
  }

  /**
   * Ends the replay: writes the held live updates, in order, and goes live. Returns whether it
   * did (false when the stream was not replaying), so that the stream flushes.
   */
  boolean goLive() {
    if (phase != Phase.REPLAYING) {
      return false;
    }
    phase = Phase.LIVE;
    Delivery d;
    while ((d = pending.poll()) != null) {
      long cost = d.event().readableBytes() + PENDING_OVERHEAD;
      pendingCharge -= cost;
      out.charge(-cost);
      // A write may drop the stream: the rest is let go of unwritten.
      if (phase == Phase.LIVE && d.update().sequence() > skipThrough) {
        out.writeLive(d);
      }
      d.release();
    }
    return true;
  }

  /** Ends the stream: nothing more is written or held. What is held stays until {@link #release()}. */
  void close() {
    phase = Phase.CLOSED;
  }

  /** The stream is gone: closes, lets go of the held updates and of their charge. */
  void release() {
    phase = Phase.CLOSED;
    Delivery d;
    while ((d = pending.poll()) != null) {
      d.release();
    }
    out.charge(-pendingCharge);
    pendingCharge = 0;
  }
}
