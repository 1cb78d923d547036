package io.herald.hub.limits;

import io.herald.hub.limits.Refusal.By;
import io.herald.hub.limits.Refusal.Limit;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The request limits of the hub ({@link LimitSettings}): rates of publish and subscribe requests
 * and counts of open streams, per client address and per token subject.
 *
 * <p>Handlers call it once a request is authenticated, with the client's address ({@link
 * LimitKeys#clientAddress}) and the token's subject ({@code null} when anonymous or the token has
 * no {@code sub}; then only the address counts), and get either nothing to object (a lease, for a
 * stream) or a {@link Refusal} to answer with 429. Refusals are counted in {@link #counters()}.
 * Thread-safe: called from every event loop. A limit set to 0 costs nothing.
 */
public final class RequestLimits {
  /**
   * {@code Retry-After} when a client has too many streams open: when one of them ends is not
   * known, so this is a hint to come back a little later rather than at once.
   */
  static final long STREAMS_RETRY_AFTER_SECONDS = 5;

  private final RateLimiter publishByAddress;
  private final RateLimiter publishBySubject;
  private final RateLimiter subscribeByAddress;
  private final RateLimiter subscribeBySubject;
  private final StreamCounter streamsByAddress;
  private final StreamCounter streamsBySubject;
  private final LimitCounters counters = new LimitCounters();

  /** Limits as {@code settings} says, timed by {@link System#nanoTime()}. */
  public RequestLimits(LimitSettings settings) {
    this(settings, System::nanoTime);
  }

  /** Limits as {@code settings} says, timed by the monotonic clock {@code nanos}. */
  RequestLimits(LimitSettings settings, LongSupplier nanos) {
    this.publishByAddress = rate(settings.publishRatePerAddress(), nanos);
    this.publishBySubject = rate(settings.publishRatePerSubject(), nanos);
    this.subscribeByAddress = rate(settings.subscribeRatePerAddress(), nanos);
    this.subscribeBySubject = rate(settings.subscribeRatePerSubject(), nanos);
    this.streamsByAddress = settings.maxStreamsPerAddress() > 0 ? new StreamCounter(settings.maxStreamsPerAddress()) : null;
    this.streamsBySubject = settings.maxStreamsPerSubject() > 0 ? new StreamCounter(settings.maxStreamsPerSubject()) : null;
  }

  private static RateLimiter rate(double perSecond, LongSupplier nanos) {
    return perSecond > 0 ? new RateLimiter(perSecond, RateLimiter.MAX_KEYS, nanos) : null;
  }

  /** Counts a publish request; returns {@code null} when it may go on, else why not. */
  public Refusal publish(InetAddress address, String subject) {
    return rates(Limit.PUBLISH_RATE, "publish", publishByAddress, publishBySubject,
        LimitKeys.address(address), LimitKeys.subject(subject));
  }

  /**
   * Counts a request that reads like a subscriber's without opening a stream (the subscriptions
   * API) against the subscribe rate; returns {@code null} when it may go on, else why not.
   */
  public Refusal subscribeRate(InetAddress address, String subject) {
    return rates(Limit.SUBSCRIBE_RATE, "subscribe", subscribeByAddress, subscribeBySubject,
        LimitKeys.address(address), LimitKeys.subject(subject));
  }

  /**
   * Counts a subscribe request against the subscribe rate and the open streams. When admitted, the
   * stream holds the returned lease until it ends and must then {@link StreamLease#release()} it.
   */
  public Admission subscribe(InetAddress address, String subject) {
    String addressKey = LimitKeys.address(address);
    String subjectKey = LimitKeys.subject(subject);
    Refusal refusal = rates(Limit.SUBSCRIBE_RATE, "subscribe", subscribeByAddress, subscribeBySubject,
        addressKey, subjectKey);
    if (refusal != null) {
      return new Admission(null, refusal);
    }
    StreamCounter byAddress = addressKey == null ? null : streamsByAddress;
    StreamCounter bySubject = subjectKey == null ? null : streamsBySubject;
    if (byAddress == null && bySubject == null) {
      return new Admission(StreamLease.NONE, null);
    }
    if (byAddress != null && !byAddress.tryAcquire(addressKey)) {
      return new Admission(null, refuse(streamsRefusal(By.ADDRESS, byAddress.max())));
    }
    if (bySubject != null && !bySubject.tryAcquire(subjectKey)) {
      if (byAddress != null) {
        byAddress.release(addressKey);
      }
      return new Admission(null, refuse(streamsRefusal(By.SUBJECT, bySubject.max())));
    }
    return new Admission(new StreamLease(byAddress, addressKey, bySubject, subjectKey), null);
  }

  /** Requests refused so far, by limit. */
  public LimitCounters counters() {
    return counters;
  }

  /** Streams open now from {@code address} as counted for its limit (0 when that limit is off). */
  public int openStreams(InetAddress address) {
    String key = LimitKeys.address(address);
    return streamsByAddress == null || key == null ? 0 : streamsByAddress.count(key);
  }

  /** Streams open now for {@code subject} as counted for its limit (0 when that limit is off). */
  public int openStreamsOfSubject(String subject) {
    String key = LimitKeys.subject(subject);
    return streamsBySubject == null || key == null ? 0 : streamsBySubject.count(key);
  }

  /** Keys with streams open, both counts together: 0 once every stream has ended. */
  public int streamKeys() {
    return (streamsByAddress == null ? 0 : streamsByAddress.keys())
        + (streamsBySubject == null ? 0 : streamsBySubject.keys());
  }

  private Refusal rates(
      Limit limit, String what, RateLimiter byAddress, RateLimiter bySubject, String addressKey, String subjectKey) {
    if (byAddress != null && addressKey != null) {
      long wait = byAddress.tryAcquire(addressKey);
      if (wait > 0) {
        return refuse(rateRefusal(limit, By.ADDRESS, what, byAddress.ratePerSecond(), wait));
      }
    }
    if (bySubject != null && subjectKey != null) {
      long wait = bySubject.tryAcquire(subjectKey);
      if (wait > 0) {
        return refuse(rateRefusal(limit, By.SUBJECT, what, bySubject.ratePerSecond(), wait));
      }
    }
    return null;
  }

  private Refusal refuse(Refusal r) {
    counters.refused(r);
    return r;
  }

  private static Refusal rateRefusal(Limit limit, By by, String what, double perSecond, long waitNanos) {
    long seconds = Math.max(1, (waitNanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    return new Refusal(limit, by, seconds, "too many " + what + " requests " + whose(by)
        + ": at most " + number(perSecond) + " per second");
  }

  private static Refusal streamsRefusal(By by, int max) {
    return new Refusal(Limit.STREAMS, by, STREAMS_RETRY_AFTER_SECONDS,
        "too many open streams " + whose(by) + ": at most " + max);
  }

  private static String whose(By by) {
    return by == By.ADDRESS ? "from this address" : "for this token subject";
  }

  private static String number(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /**
   * What {@link #subscribe} decided.
   *
   * @param lease the stream's lease when admitted, else {@code null}
   * @param refusal why not, else {@code null}
   */
  public record Admission(StreamLease lease, Refusal refusal) {
    public boolean isRefused() {
      return refusal != null;
    }
  }
}
