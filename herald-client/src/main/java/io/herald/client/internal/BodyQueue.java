package io.herald.client.internal;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
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
 */
public final class BodyQueue implements HttpResponse.BodySubscriber<Void> {
  /** The body ended normally. */
  public static final Object END = new Object();
  /** {@link #cancel()} was called. */
  public static final Object CANCELLED = new Object();

  private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
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
    items.add(chunk);
  }

  @Override
  public void onError(Throwable error) {
    items.add(error);
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
   * The next item: a {@code List<ByteBuffer>}, {@link #END}, {@link #CANCELLED}, a {@link
   * Throwable}, or {@code null} when nothing came within {@code timeout} (zero: wait forever).
   */
  public Object next(Duration timeout) throws InterruptedException {
    if (timeout.isZero()) {
      return items.take();
    }
    return items.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
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
