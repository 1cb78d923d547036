package io.herald.hub.subscribe;

import io.herald.core.auth.Grants;
import io.herald.core.sse.SseEncoder;
import io.herald.core.subscriber.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One open event stream: its selectors and grants, and the state of its delivery.
 *
 * <p>Lives on its channel's event loop and is only touched from there. A stream that resumes
 * from history starts {@link State#REPLAYING}: live updates that arrive meanwhile wait in a
 * bounded queue and are written, in order, right after the last replayed one, so the subscriber
 * sees no gap and no duplicate. The memory a stream may hold is bounded twice: the pending queue
 * while replaying, and the channel's outbound buffer while live ({@link
 * io.herald.hub.HubConfig#maxQueuedBytes()}); past either bound, or when the channel stays
 * unwritable longer than the dispatch timeout, the stream is dropped. Its client reconnects with
 * {@code Last-Event-ID} and loses nothing.
 */
final class SubscriberStream implements Subscription {
  enum State {
    REPLAYING,
    LIVE,
    CLOSED
  }

  private static final ByteBuf HEARTBEAT =
      Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(SseEncoder.heartbeat())).asReadOnly();

  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(SubscriberStream.class.getName());

  private final Channel channel;
  private final LoopSubscribers home;
  private final List<String> selectors;
  private final Grants grants;
  private final SubscriberCounters counters;
  private final long maxQueuedBytes;
  private final ArrayDeque<Delivery> pending = new ArrayDeque<>();
  private long pendingBytes;
  private State state;
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
  /** Updates with a sequence up to this one come from history; later ones from the live feed. */
  final long liveFrom;
  /**
   * Updates up to this sequence are never written live: those up to {@link #liveFrom} come from
   * the replay, and a subscriber resuming from a position this node has not dispatched yet (a
   * cluster node that lags the shared log) has already seen those up to its resume point.
   */
  private long skipThrough;

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
    this.state = replaying ? State.REPLAYING : State.LIVE;
    this.liveFrom = home.lastSequence();
    this.skipThrough = liveFrom;
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

  State state() {
    return state;
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
    if (d.update().sequence() <= skipThrough) {
      return false; // covered by the replay, or seen before the subscriber resumed
    }
    switch (state) {
      case LIVE -> {
        writeShared(d);
        counters.delivered(1);
        return true;
      }
      case REPLAYING -> {
        d.retain();
        pending.add(d);
        pendingBytes += d.event().readableBytes();
        if (pendingBytes > maxQueuedBytes) {
          drop();
        }
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  /** Writes one replayed event (already encoded for this subscriber). */
  void writeReplayed(ByteBuf event) {
    if (state != State.REPLAYING) {
      event.release();
      return;
    }
    write(event);
    counters.replayed(1);
    counters.delivered(1);
  }

  /**
   * Records where the subscriber's {@code Last-Event-ID} is in the log. Nothing at or before it is
   * sent live, so a node that had not yet dispatched that far sends no duplicates.
   */
  void resumeAfter(long sequence) {
    if (sequence > skipThrough) {
      skipThrough = sequence;
    }
  }

  /** Ends the replay: writes the live updates that arrived meanwhile and goes live. */
  void goLive() {
    if (state != State.REPLAYING) {
      return;
    }
    state = State.LIVE;
    Delivery d;
    while ((d = pending.poll()) != null) {
      if (d.update().sequence() > skipThrough) {
        writeShared(d);
        counters.delivered(1);
      }
      d.release();
    }
    pendingBytes = 0;
    flush();
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
   * Writes a shared, encoded-once update. On HTTP/1.1 the pre-framed chunk goes straight to the
   * socket side of the HTTP codec: no chunk header allocated and no encoder work per subscriber.
   */
  private void writeShared(Delivery d) {
    if (preframedOut != null) {
      preframedOut.write(d.chunk().retainedDuplicate(), preframedOut.voidPromise());
      afterWrite();
    } else {
      write(d.event().retainedDuplicate());
    }
  }

  private void write(ByteBuf bytes) {
    channel.write(new DefaultHttpContent(bytes), channel.voidPromise());
    afterWrite();
  }

  private void afterWrite() {
    lastWriteNanos = System.nanoTime();
    if (!channel.isWritable()) {
      if (unwritableSinceNanos == 0) {
        unwritableSinceNanos = lastWriteNanos;
      }
      if (channel.bytesBeforeWritable() > maxQueuedBytes) {
        drop();
      }
    }
  }

  void flush() {
    if (state != State.CLOSED) {
      channel.flush();
    }
  }

  /** Periodic check from the loop: heartbeat when idle, drop when stuck. */
  void sweep(long now, long heartbeatNanos, long timeoutNanos) {
    if (state == State.CLOSED) {
      return;
    }
    if (channel.isWritable()) {
      unwritableSinceNanos = 0;
    } else if (unwritableSinceNanos == 0) {
      unwritableSinceNanos = now;
    } else if (timeoutNanos > 0 && now - unwritableSinceNanos > timeoutNanos) {
      drop();
      return;
    }
    if (started && heartbeatNanos > 0 && now - lastWriteNanos >= heartbeatNanos) {
      write(HEARTBEAT.duplicate());
      flush();
    }
  }

  /** Disconnects a subscriber that cannot keep up. It reconnects and resumes from history. */
  void drop() {
    if (state == State.CLOSED) {
      return;
    }
    counters.droppedSlow();
    LOG.info("dropped slow subscriber " + channel.remoteAddress()
        + " (it will reconnect and resume from history)");
    state = State.CLOSED;
    channel.close();
  }

  /** Closes the stream because the subscriber's token expired. */
  private void expire() {
    if (state == State.CLOSED) {
      return;
    }
    counters.expired();
    finish(-1);
  }

  /** Ends the stream cleanly: an optional {@code retry:} hint, the end of the response, close. */
  void finish(long retryMillis) {
    if (state == State.CLOSED) {
      return;
    }
    if (!started) {
      state = State.CLOSED;
      channel.close();
      return;
    }
    if (state == State.LIVE && retryMillis >= 0) {
      write(Unpooled.wrappedBuffer(SseEncoder.retry(retryMillis)));
    }
    state = State.CLOSED;
    channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
  }

  /** Runs once the channel is closed: leaves the index and frees what is still held. */
  private void release() {
    state = State.CLOSED;
    home.remove(this);
    counters.closed(selectors.size());
    if (expiry != null) {
      expiry.cancel(false);
    }
    Delivery d;
    while ((d = pending.poll()) != null) {
      d.release();
    }
    pendingBytes = 0;
    onClose.run();
  }
}
