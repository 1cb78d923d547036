package io.herald.client.internal;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands a response body from the HTTP client's threads to the source's reading thread, one chunk
 * at a time.
 *
 * <p>It requests the next chunk only after the reader asked for it ({@link #requestMore}), so at
 * most one chunk waits here: memory stays bounded and a slow reader slows the server down through
 * TCP. Polling with a timeout is what implements the read timeout, without a timer thread.
 *
 * <p>What the reader gets is an {@link Item}: a sealed set of the five things that can happen, so
 * that a reader handles each one by type, with no cast and none forgotten.
 */
public final class BodyQueue implements HttpResponse.BodySubscriber<Void> {

  /** What {@link #next} returns. */
  public sealed interface Item permits Chunk, End, Failed, Cancelled, TimedOut {}

  /** A chunk of the body, as the HTTP client delivered it. */
  public record Chunk(List<ByteBuffer> buffers) implements Item {
    public Chunk {
      buffers = List.copyOf(buffers);
    }
  }

  /** The body ended normally. */
  public record End() implements Item {}

  /** Reading the body failed (connection reset, HTTP/2 stream error...). */
  public record Failed(Throwable error) implements Item {
    public Failed {
      Objects.requireNonNull(error, "error");
    }
  }

  /** {@link #cancel()} was called. */
  public record Cancelled() implements Item {}

  /** Nothing came within the timeout given to {@link #next}. */
  public record TimedOut() implements Item {}

  private static final End END = new End();
  private static final Cancelled CANCELLED = new Cancelled();
  private static final TimedOut TIMED_OUT = new TimedOut();

  /**
   * Bounded by the protocol rather than a capacity: at most one chunk (only one is requested at a
   * time), then the end or a failure, plus one empty marker per {@link #cancel()} call (two at
   * most: the source's close and the end of the connection).
   */
  private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelled;

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (cancelled) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> chunk) {
    items.add(new Chunk(chunk));
  }

  @Override
  public void onError(Throwable error) {
    items.add(new Failed(error));
  }

  @Override
  public void onComplete() {
    items.add(END);
  }

  /** Complete at once: the response is usable as soon as its headers are in. */
  @Override
  public CompletionStage<Void> getBody() {
    return CompletableFuture.completedStage(null);
  }

  /**
   * The next item, waiting at most {@code timeout} (zero: wait forever); {@link TimedOut} when
   * nothing came in time. Never {@code null}.
   */
  public Item next(Duration timeout) throws InterruptedException {
    if (timeout.isZero()) {
      return items.take();
    }
    Item item = items.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    return item == null ? TIMED_OUT : item;
  }

  /** Asks the HTTP client for the next chunk, once the previous one was consumed. */
  public void requestMore() {
    Flow.Subscription s = subscription;
    if (s != null && !cancelled) {
      s.request(1);
    }
  }

  /**
   * Stops the body: the HTTP client then releases the connection (an unfinished HTTP/1.1
   * response cannot be reused, so it is closed). Wakes a reader blocked in {@link #next}.
   * Idempotent, callable from any thread.
   */
  public void cancel() {
    cancelled = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    items.add(CANCELLED);
  }
}
