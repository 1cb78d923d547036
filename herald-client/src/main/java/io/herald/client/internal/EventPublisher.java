package io.herald.client.internal;

import io.herald.client.CloseReason;
import io.herald.client.Event;
import io.herald.client.EventSource;
import io.herald.client.EventSourceListener;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A cold {@link Flow.Publisher} of events: one source per subscriber, reading only as fast as the
 * subscriber requests. The source's thread waits for demand before delivering each event, so
 * nothing piles up in memory; all signals come from that one thread, hence serially.
 */
public final class EventPublisher implements Flow.Publisher<Event> {
  private final EventSourceConfig config;

  /** A publisher starting one source with {@code config} per subscriber. */
  public EventPublisher(EventSourceConfig config) {
    this.config = config;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Event> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    DemandSubscription subscription = new DemandSubscription(subscriber);
    subscriber.onSubscribe(subscription);
    subscription.start(config);
  }

  private static final class DemandSubscription implements Flow.Subscription {
    private final Flow.Subscriber<? super Event> subscriber;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition demandArrived = lock.newCondition();
    private long demand;
    private boolean cancelled;
    private IllegalArgumentException invalidRequest;
    private volatile EventSource source;

    DemandSubscription(Flow.Subscriber<? super Event> subscriber) {
      this.subscriber = subscriber;
    }

    void start(EventSourceConfig config) {
      lock.lock();
      try {
        if (cancelled) {
          return;
        }
      } finally {
        lock.unlock();
      }
      source = RealEventSource.start(config.withListener(new Listener()));
      boolean cancelledMeanwhile;
      lock.lock();
      try {
        cancelledMeanwhile = cancelled;
      } finally {
        lock.unlock();
      }
      if (cancelledMeanwhile) {
        source.close();
      }
    }

    @Override
    public void request(long n) {
      EventSource s;
      lock.lock();
      try {
        if (cancelled) {
          return;
        }
        if (n <= 0) {
          // Rule 3.9: signal onError; the source's thread does it, keeping signals serial.
          invalidRequest = new IllegalArgumentException("request(" + n + "): n must be positive");
          cancelled = true;
        } else {
          demand = demand + n < 0 ? Long.MAX_VALUE : demand + n; // saturate: "unbounded"
        }
        demandArrived.signalAll();
        s = invalidRequest != null ? source : null;
      } finally {
        lock.unlock();
      }
      if (s != null) {
        s.close();
      }
    }

    @Override
    public void cancel() {
      EventSource s;
      lock.lock();
      try {
        cancelled = true;
        demandArrived.signalAll();
        s = source;
      } finally {
        lock.unlock();
      }
      if (s != null) {
        s.close();
      }
    }

    private final class Listener implements EventSourceListener {
      @Override
      public void onEvent(EventSource s, Event event) {
        lock.lock();
        try {
          while (demand == 0 && !cancelled) {
            try {
              demandArrived.await();
            } catch (InterruptedException e) {
              // The source is being closed while the subscriber requests nothing: drop the event.
              Thread.currentThread().interrupt();
              return;
            }
          }
          if (cancelled) {
            return;
          }
          if (demand != Long.MAX_VALUE) {
            demand--;
          }
        } finally {
          lock.unlock();
        }
        subscriber.onNext(event);
      }

      @Override
      public void onClosed(EventSource s, CloseReason reason) {
        IllegalArgumentException invalid;
        boolean wasCancelled;
        lock.lock();
        try {
          invalid = invalidRequest;
          wasCancelled = cancelled;
          cancelled = true;
        } finally {
          lock.unlock();
        }
        if (invalid != null) {
          subscriber.onError(invalid);
        } else if (wasCancelled) {
          return; // the subscriber cancelled: no further signal
        } else if (reason == CloseReason.GAVE_UP && s.failure().isPresent()) {
          subscriber.onError(s.failure().get());
        } else {
          subscriber.onComplete();
        }
      }
    }
  }
}
