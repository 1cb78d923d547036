package io.herald.client.internal;

import io.herald.client.CloseReason;
import io.herald.client.Event;
import io.herald.client.EventSource;
import io.herald.client.EventSourceException;
import io.herald.client.EventSourceListener;
import io.herald.client.EventStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link EventStream} over a bounded buffer: the source's thread puts (and blocks while the buffer
 * is full), the consumer takes.
 */
public final class QueueingEventStream implements EventStream {
  private final int capacity;
  private final ArrayDeque<Event> buffer = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private boolean ended;
  private boolean closed;
  private EventSourceException failure;
  private volatile EventSource source;

  public QueueingEventStream(int capacity) {
    this.capacity = capacity;
  }

  /** Binds the stream to its source, once started. */
  public void attach(EventSource s) {
    this.source = s;
  }

  /** The listener to give the source: it fills the buffer and marks the end. */
  public EventSourceListener listener() {
    return new EventSourceListener() {
      @Override
      public void onEvent(EventSource s, Event event) {
        put(event);
      }

      @Override
      public void onClosed(EventSource s, CloseReason reason) {
        finish(reason == CloseReason.GAVE_UP ? s.failure().orElse(null) : null);
      }
    };
  }

  private void put(Event event) {
    lock.lock();
    try {
      while (buffer.size() >= capacity && !closed) {
        try {
          notFull.await();
        } catch (InterruptedException e) {
          // The source is being closed while the consumer is not taking: drop the event.
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (closed) {
        return;
      }
      buffer.add(event);
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  private void finish(EventSourceException error) {
    lock.lock();
    try {
      ended = true;
      failure = error;
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Event take() throws InterruptedException {
    lock.lock();
    try {
      while (buffer.isEmpty()) {
        endIfDone();
        notEmpty.await();
      }
      return remove();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Event poll(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (buffer.isEmpty()) {
        endIfDone();
        if (nanos <= 0) {
          return null;
        }
        nanos = notEmpty.awaitNanos(nanos);
      }
      return remove();
    } finally {
      lock.unlock();
    }
  }

  private void endIfDone() {
    if (failure != null) {
      throw failure;
    }
    if (ended || closed) {
      throw new NoSuchElementException("the event stream has ended");
    }
  }

  private Event remove() {
    Event event = buffer.remove();
    notFull.signal();
    return event;
  }

  @Override
  public int buffered() {
    lock.lock();
    try {
      return buffer.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public EventSource source() {
    return source;
  }

  @Override
  public Iterator<Event> iterator() {
    return new Iterator<>() {
      private Event next;

      @Override
      public boolean hasNext() {
        if (next != null) {
          return true;
        }
        try {
          next = take();
          return true;
        } catch (NoSuchElementException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }

      @Override
      public Event next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Event e = next;
        next = null;
        return e;
      }
    };
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      buffer.clear();
      notFull.signalAll();
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
    EventSource s = source;
    if (s != null) {
      s.close();
    }
  }
}
