package io.herald.hub.limits;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stream's place in the per-address and per-subject counts of open streams. Released exactly
 * once, however the stream ends and however many times {@link #release()} is called: the
 * subscribe handler releases it when the stream's channel closes, which every end of a stream
 * (client gone, dropped as slow, token expired, hub closing) comes to.
 */
public final class StreamLease {
  /** The lease of a stream no count applies to. */
  static final StreamLease NONE = new StreamLease(null, null, null, null);

  private final StreamCounter byAddress;
  private final String addressKey;
  private final StreamCounter bySubject;
  private final String subjectKey;
  private final AtomicBoolean released = new AtomicBoolean();

  /** A lease on {@code addressKey} in {@code byAddress} and {@code subjectKey} in {@code bySubject}, each possibly null. */
  StreamLease(StreamCounter byAddress, String addressKey, StreamCounter bySubject, String subjectKey) {
    this.byAddress = byAddress;
    this.addressKey = addressKey;
    this.bySubject = bySubject;
    this.subjectKey = subjectKey;
  }

  /** Gives the stream's places back; only the first call does anything. */
  public void release() {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    if (byAddress != null) {
      byAddress.release(addressKey);
    }
    if (bySubject != null) {
      bySubject.release(subjectKey);
    }
  }
}
