package io.herald.hub.subscribe;

import io.herald.core.auth.Grants;
import io.herald.core.sse.SseEncoder;
import io.herald.core.subscriber.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * One open event stream: its selectors and grants, and the channel side of its delivery
 * (writes, budgets, flushes, heartbeats, drop and finish).
 *
 * <p>Lives on its channel's event loop and is only touched from there. What to write, hold or
 * skip, replaying history then going live, is decided by its {@link ReplayThenLive}: a stream
 * that resumes from history starts {@link ReplayThenLive.Phase#REPLAYING}, live updates that
 * arrive meanwhile are held in a bounded queue and written, in order, right after the last
 * replayed one, so the subscriber sees no gap and no duplicate.
 *
 * <p>What a stream queues (written and not gone yet, plus its pending queue while replaying) is
 * charged, before it is queued, to three budgets: the stream's own ({@link
 * io.herald.hub.HubConfig#maxQueuedBytes()}), its connection's ({@link ConnectionBudget}: the
 * sum over an HTTP/2 connection's streams) and the hub's ({@link OutboundBudget}). A write that
 * would take any of them over is not made and the stream is dropped, as is a stream whose channel
 * stays unwritable longer than the dispatch timeout. Its client reconnects with {@code
 * Last-Event-ID} and loses nothing.
 *
 * <p>The charge of a write is its bytes plus a fixed overhead for the objects that hold it while
 * it waits: the bytes of a shared update exist once however many streams queue them, but each
 * queued write costs heap of its own, and that is what thousands of stalled streams exhaust.
 * HTTP/1.1 streams are charged what Netty's outbound buffer counts itself (bytes plus {@value
 * #HTTP1_WRITE_OVERHEAD} per entry), read back after each write and flush: no allocation and no
 * promise per delivery. HTTP/2 streams are charged {@value #HTTP2_WRITE_OVERHEAD} per write, released
 * by the write's own promise ({@link ChargedWrite}), because Netty's stream channel counts only
 * the data bytes waiting in its flow controller and not the writes.
 */
final class SubscriberStream implements Subscription {
  private static final ByteBuf HEARTBEAT =
      Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(SseEncoder.heartbeat())).asReadOnly();

  /**
   * Heap held per write queued on an HTTP/2 stream while its window is closed, beyond the bytes:
   * our {@code DefaultHttpContent} and buffer duplicate, the codec's DATA frame, Netty's promise
   * and listener, ours ({@link ChargedWrite}), the flow controller's queue entry. Measured at 216
   * bytes of heap per write (Netty 4.2, 64-bit JVM with compressed pointers: 100 zero-window
   * streams holding 1,000 writes each of one shared buffer, heap after GC before and after);
   * rounded up.
   */
  static final long HTTP2_WRITE_OVERHEAD = 256;
  /** Netty's own per-entry overhead in a channel's outbound buffer (its default). */
  static final long HTTP1_WRITE_OVERHEAD = 96;
  /** A stream drained this recently still counts as keeping up (see {@link #keepingUp()}). */
  private static final long KEEPING_UP_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

  /** Why a stream was dropped, as counted in the metrics. */
  enum DropReason {
    /** The stream's own queue was full, or its channel stayed unwritable too long. */
    SLOW,
    /** Its connection's or the hub's budget of queued bytes was spent. */
    BUDGET
  }

  private static final System.Logger LOG = System.getLogger(SubscriberStream.class.getName());

  private final Channel channel;
  private final LoopSubscribers home;
  private final List<String> selectors;
  private final Grants grants;
  private final SubscriberCounters counters;
  private final long maxQueuedBytes;
  /** What the writes handed to the channel and not gone yet are charged. */
  private long inFlight;
  /** The part of {@link #inFlight} written since the last flush. */
  private long unflushed;
  /**
   * When the stream last drained: a write completing (or the outbound buffer shrinking) left
   * nothing flushed behind. About the time of the last write; long ago until it first happens.
   */
  private long drainedAtNanos = System.nanoTime() - 2 * KEEPING_UP_NANOS;
  private final boolean http2;
  private final ConnectionBudget connection;
  private final OutboundBudget.Share hubShare;
  /** Replay then live: what is written, held or skipped, and whether the stream is closed. */
  private final ReplayThenLive phase;
  private long lastWriteNanos = System.nanoTime();
  private long unwritableSinceNanos;
  private ScheduledFuture<?> expiry;
  private Runnable onClose = () -> {};
  /** Where pre-framed HTTP/1.1 chunks are written, or {@code null} to go through the encoder. */
  private ChannelHandlerContext preframedOut;
  /** Whether the response headers went out; nothing else may be written before them. */
  private boolean started;
  /** Set by {@link LoopSubscribers} while this stream waits in its flush list. */
  boolean flushPending;

  SubscriberStream(
      Channel channel,
      LoopSubscribers home,
      List<String> selectors,
      Grants grants,
      SubscriberCounters counters,
      long maxQueuedBytes,
      boolean replaying) {
    this.channel = channel;
    this.home = home;
    this.selectors = List.copyOf(selectors);
    this.grants = grants;
    this.counters = counters;
    this.maxQueuedBytes = maxQueuedBytes;
    this.phase = new ReplayThenLive(home.lastSequence(), replaying, new ReplayThenLive.Output() {
      @Override
      public boolean admit(long cost) {
        return SubscriberStream.this.admit(cost);
      }

      @Override
      public boolean writeLive(Delivery d) {
        return SubscriberStream.this.writeLive(d);
      }

      @Override
      public void charge(long delta) {
        account(delta);
      }
    });
    this.http2 = channel instanceof Http2StreamChannel;
    this.connection = home.connectionBudget(channel);
    this.hubShare = home.budgetShare();
  }

  @Override
  public List<String> selectors() {
    return selectors;
  }

  @Override
  public Grants grants() {
    return grants;
  }

  Channel channel() {
    return channel;
  }

  /** Where the stream is between history and the live feed (read by its {@link Replay}). */
  ReplayThenLive phase() {
    return phase;
  }

  /** Sets what runs once the stream is gone (before {@link #open()}). */
  void onClose(Runnable action) {
    this.onClose = action;
  }

  /** Joins the loop's index and arranges cleanup when the connection goes away. */
  void open() {
    home.add(this);
    counters.opened(selectors.size());
    channel.closeFuture().addListener(f -> home.loop().execute(this::release));
    if (grants.expiresAt() != null) {
      long delayMs = grants.expiresAt().toEpochMilli() - System.currentTimeMillis();
      expiry = home.loop().schedule(this::expire, Math.max(0, delayMs), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Offers a live update. Returns whether something was written (and a flush is owed).
   */
  boolean offer(Delivery d) {
    return phase.offer(d);
  }

  /** Writes a live update and counts it (else the stream was dropped). */
  private boolean writeLive(Delivery d) {
    if (!writeShared(d)) {
      return false;
    }
    counters.delivered(1);
    return true;
  }

  /** Writes one replayed event (already encoded for this subscriber). */
  void writeReplayed(ByteBuf event) {
    if (!phase.isReplaying()) {
      event.release();
      return;
    }
    if (write(event)) {
      counters.replayed(1);
      counters.delivered(1);
    }
  }

  /**
   * Records where the subscriber's {@code Last-Event-ID} is in the log. Nothing at or before it is
   * sent live, so a node that had not yet dispatched that far sends no duplicates.
   */
  void resumeAfter(long sequence) {
    phase.resumeAfter(sequence);
  }

  /** Ends the replay: writes the live updates that arrived meanwhile and goes live. */
  void goLive() {
    if (phase.goLive()) {
      flush();
    }
  }

  /**
   * Records that the response headers were written. {@code chunked}: the response is HTTP/1.1
   * with chunked framing, so shared updates may bypass the encoder as pre-framed chunks. Writes
   * made from the HTTP codec's context enter the pipeline at the same point the encoder's own
   * output does, so both kinds of write keep their order.
   */
  void markStarted(boolean chunked) {
    started = true;
    if (chunked) {
      preframedOut = channel.pipeline().context(HttpServerCodec.class);
    }
  }

  void writeRaw(ByteBuf bytes) {
    write(bytes);
  }

  /**
   * Writes a shared, encoded-once update, if the budgets allow (else the stream is dropped and
   * this returns false). On HTTP/1.1 the pre-framed chunk goes straight to the socket side of the
   * HTTP codec: no chunk header allocated and no encoder work per subscriber.
   */
  private boolean writeShared(Delivery d) {
    if (preframedOut != null) {
      if (!admit(d.chunk().readableBytes() + HTTP1_WRITE_OVERHEAD)) {
        return false;
      }
      preframedOut.write(d.chunk().retainedDuplicate(), preframedOut.voidPromise());
      afterWrite();
      return true;
    }
    return write(d.event(), true);
  }

  /** Writes {@code bytes} (taking them over) if the budgets allow; else releases them and drops the stream. */
  private boolean write(ByteBuf bytes) {
    return write(bytes, false);
  }

  private boolean write(ByteBuf bytes, boolean shared) {
    long cost = bytes.readableBytes() + (http2 ? HTTP2_WRITE_OVERHEAD : HTTP1_WRITE_OVERHEAD);
    if (!admit(cost)) {
      if (!shared) {
        bytes.release();
      }
      return false;
    }
    ByteBuf out = shared ? bytes.retainedDuplicate() : bytes;
    if (http2) {
      inFlight += cost;
      unflushed += cost;
      account(cost);
      channel.write(new DefaultHttpContent(out), new ChargedWrite(channel, this, cost));
    } else {
      channel.write(new DefaultHttpContent(out), channel.voidPromise());
    }
    afterWrite();
    return true;
  }

  /**
   * Checks, before queueing {@code cost} more bytes, the stream's, its connection's and the hub's
   * budgets; drops the stream if one would be exceeded. A stream that keeps up may use the
   * budgets' reserve (see {@link OutboundBudget}).
   */
  private boolean admit(long cost) {
    if (phase.isClosed()) {
      return false;
    }
    syncHttp1();
    if (inFlight + phase.pendingCharge() + cost > maxQueuedBytes) {
      drop(DropReason.SLOW);
      return false;
    }
    int room = Math.min(connection.room(cost), home.budget().room(cost));
    if (room == OutboundBudget.FULL || room == OutboundBudget.RESERVE_ONLY && !keepingUp()) {
      drop(DropReason.BUDGET);
      return false;
    }
    return true;
  }

  /**
   * Whether everything this stream had flushed has left, now or lately: what it has queued was
   * written since its last flush, or it was drained less than {@link #KEEPING_UP_NANOS} ago (a
   * reader that lags a moment, not one that stalled).
   */
  private boolean keepingUp() {
    return inFlight <= unflushed || System.nanoTime() - drainedAtNanos <= KEEPING_UP_NANOS;
  }

  /** After bytes left: records a drain if nothing flushed is left behind. */
  private void noteIfDrained() {
    if (inFlight <= unflushed) {
      drainedAtNanos = lastWriteNanos;
    }
  }

  /** Adds {@code delta} to what this stream's connection and the hub have queued. */
  private void account(long delta) {
    connection.add(delta);
    hubShare.add(delta);
  }

  /**
   * HTTP/1.1: makes the charge what the channel's outbound buffer holds now (Netty counts each
   * entry's bytes plus its own overhead there, as writes are added and as they leave).
   */
  private void syncHttp1() {
    if (http2) {
      return;
    }
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    long now = out == null ? 0 : out.totalPendingWriteBytes();
    long delta = now - inFlight;
    if (delta != 0) {
      inFlight = now;
      account(delta);
      // Growth comes from writes since the last flush; the buffer drains oldest (flushed) first.
      if (delta > 0) {
        unflushed += delta;
      } else {
        unflushed = Math.min(unflushed, inFlight);
        noteIfDrained();
      }
    }
  }

  /** HTTP/2: a write's promise completed; its bytes left or were let go of. */
  void released(long cost) {
    long n = Math.min(cost, inFlight);
    inFlight -= n;
    unflushed = Math.min(unflushed, inFlight);
    account(-n);
    if (n > 0) {
      noteIfDrained();
    }
  }

  private void afterWrite() {
    syncHttp1();
    lastWriteNanos = System.nanoTime();
    if (!channel.isWritable() && unwritableSinceNanos == 0) {
      unwritableSinceNanos = lastWriteNanos;
    }
  }

  void flush() {
    if (!phase.isClosed()) {
      unflushed = 0;
      channel.flush();
      syncHttp1();
    }
  }

  /** Periodic check from the loop: heartbeat when idle, drop when stuck. */
  void sweep(long now, long heartbeatNanos, long timeoutNanos) {
    if (phase.isClosed()) {
      return;
    }
    syncHttp1();
    if (channel.isWritable()) {
      unwritableSinceNanos = 0;
    } else if (unwritableSinceNanos == 0) {
      unwritableSinceNanos = now;
    } else if (timeoutNanos > 0 && now - unwritableSinceNanos > timeoutNanos) {
      drop(DropReason.SLOW);
      return;
    }
    if (started && heartbeatNanos > 0 && now - lastWriteNanos >= heartbeatNanos
        && write(HEARTBEAT.duplicate())) {
      flush();
    }
  }

  /**
   * Disconnects a subscriber that cannot keep up, or whose connection or hub has too much queued.
   * On HTTP/2 only this stream is reset. It reconnects and resumes from history.
   */
  void drop(DropReason reason) {
    if (phase.isClosed()) {
      return;
    }
    if (reason == DropReason.BUDGET) {
      counters.droppedBudget();
    } else {
      counters.droppedSlow();
    }
    LOG.log(Level.INFO, "dropped " + (reason == DropReason.BUDGET ? "over-budget" : "slow") + " subscriber "
        + channel.remoteAddress() + " (it will reconnect and resume from history)");
    phase.close();
    channel.close();
  }

  /** Closes the stream because the subscriber's token expired. */
  private void expire() {
    if (phase.isClosed()) {
      return;
    }
    counters.expired();
    finish(-1);
  }

  /** Ends the stream cleanly: an optional {@code retry:} hint, the end of the response, close. */
  void finish(long retryMillis) {
    if (phase.isClosed()) {
      return;
    }
    if (!started) {
      phase.close();
      channel.close();
      return;
    }
    if (phase.phase() == ReplayThenLive.Phase.LIVE && retryMillis >= 0 && !write(Unpooled.wrappedBuffer(SseEncoder.retry(retryMillis)))) {
      return; // over budget: dropped instead
    }
    phase.close();
    channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
  }

  /** Runs once the channel is closed: leaves the index and frees what is still held. */
  private void release() {
    phase.close();
    home.remove(this);
    counters.closed(selectors.size());
    if (expiry != null) {
      expiry.cancel(false);
    }
    phase.release();
    if (!http2) {
      // The channel is closed: its outbound buffer let go of everything.
      account(-inFlight);
      inFlight = 0;
      unflushed = 0;
    }
    // HTTP/2: each write's promise releases its charge once the flow controller lets go of it.
    onClose.run();
  }
}
