package io.herald.hub.subscribe;

import io.herald.core.auth.Authorization;
import io.herald.core.history.History;
import io.herald.core.history.HistoryException;
import io.herald.core.sse.SseEncoder;
import io.herald.core.update.Update;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.RejectedExecutionException;

/**
 * Streams a resuming subscriber's missed updates from history, one page at a time.
 *
 * <p>History reads may touch the disk, so they run on the replay executor, never on an event
 * loop. Each page is written on the subscriber's loop and the next page is read only once the
 * previous one has left for the socket: a subscriber resuming from a million updates back holds
 * one page, not a million updates, and a resume storm holds at most one page per subscriber.
 * The replay stops at the stream's {@link ReplayThenLive#liveFrom()}; everything after it comes
 * from the live feed, held meanwhile, so the two meet with no gap and no duplicate (the rules are
 * {@link ReplayThenLive}'s). A page that fails closes the stream: it never goes live over a gap,
 * and its client retries from where it was.
 */
final class Replay {
  private static final System.Logger LOG = System.getLogger(Replay.class.getName());
  static final int PAGE = 128;

  private final SubscriberStream stream;
  private final History history;
  private final Authorization authorization;
  private final Executor executor;
  private final Runnable onEnd;
  private final AtomicBoolean ended = new AtomicBoolean();
  private long after;

  /**
   * @param onEnd runs exactly once when the replay ends: the stream went live, failed, or closed
   */
  Replay(SubscriberStream stream, History history, Authorization authorization, Executor executor, long after,
      Runnable onEnd) {
    this.stream = stream;
    this.history = history;
    this.authorization = authorization;
    this.executor = executor;
    this.after = after;
    this.onEnd = onEnd;
  }

  /** Starts reading pages; the stream goes live when history is exhausted. */
  void start() {
    stream.channel().closeFuture().addListener(f -> end());
    if (!stream.phase().isReplaying()) {
      end();
      return;
    }
    readNextPage();
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      onEnd.run();
    }
  }

  private void readNextPage() {
    try {
      executor.execute(this::readPage);
    } catch (RejectedExecutionException shuttingDown) {
      stream.channel().close();
      end();
    }
  }

  private void readPage() {
    if (!stream.phase().isReplaying()) {
      end();
      return;
    }
    List<Update> page;
    try {
      page = history.read(after, stream.phase().liveFrom(), PAGE);
    } catch (HistoryException | RuntimeException e) {
      LOG.log(Level.WARNING, "replay failed, closing subscriber so it retries: {0}", e.getMessage());
      stream.channel().close();
      end();
      return;
    }
    stream.channel().eventLoop().execute(() -> writePage(page));
  }

  private void writePage(List<Update> page) {
    if (!stream.phase().isReplaying()) {
      end();
      return;
    }
    int written = 0;
    for (Update u : page) {
      after = u.sequence();
      if (authorization.canReceive(stream.selectors(), stream.grants(), u)) {
        stream.writeReplayed(Unpooled.wrappedBuffer(SseEncoder.encode(u)));
        written++;
      }
    }
    boolean done = stream.phase().historyDone(after, page.size() < PAGE);
    if (done) {
      stream.goLive();
      end();
      return;
    }
    if (written == 0) {
      readNextPage();
      return;
    }
    ChannelPromise flushed = stream.channel().newPromise();
    flushed.addListener(f -> {
      if (f.isSuccess()) {
        readNextPage();
      } else {
        end();
      }
    });
    // An empty write carrying the promise: it completes once everything before it is flushed.
    stream.channel().writeAndFlush(new DefaultHttpContent(Unpooled.EMPTY_BUFFER), flushed);
  }
}
