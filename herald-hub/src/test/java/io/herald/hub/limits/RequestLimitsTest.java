package io.herald.hub.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.hub.limits.Refusal.By;
import io.herald.hub.limits.Refusal.Limit;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The facade's decisions and the keys it counts by, timed by a clock the test moves. */
class RequestLimitsTest {
  private final TestClock clock = new TestClock();

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  private RequestLimits limits(double publishPerAddress, double publishPerSubject, int streamsPerAddress,
      int streamsPerSubject) {
    return new RequestLimits(new LimitSettings(publishPerAddress, publishPerSubject, 0, 0,
        streamsPerAddress, streamsPerSubject), clock);
  }

  @Test
  void offLimitsNeverRefuse() throws Exception {
    RequestLimits limits = new RequestLimits(LimitSettings.OFF, clock);
    for (int i = 0; i < 1000; i++) {
      assertThat(limits.publish(ip("127.0.0.1"), "alice")).isNull();
      assertThat(limits.subscribe(ip("127.0.0.1"), "alice").isRefused()).isFalse();
    }
    assertThat(limits.streamKeys()).isZero();
  }

  @Test
  void publishRateRefusalSaysWhichLimitAndWhenToComeBack() throws Exception {
    RequestLimits limits = limits(0.5, 0, 0, 0);
    assertThat(limits.publish(ip("127.0.0.1"), null)).isNull();
    Refusal r = limits.publish(ip("127.0.0.1"), null);
    assertThat(r.limit()).isEqualTo(Limit.PUBLISH_RATE);
    assertThat(r.by()).isEqualTo(By.ADDRESS);
    assertThat(r.retryAfterSeconds()).isEqualTo(2);
    assertThat(r.reason()).isEqualTo("too many publish requests from this address: at most 0.5 per second");
    assertThat(r.response().status().code()).isEqualTo(429);
    assertThat(r.response().headers().get("Retry-After")).isEqualTo("2");
    // Another address has its own budget.
    assertThat(limits.publish(ip("127.0.0.2"), null)).isNull();
    // A fraction of a second still asks for a whole second.
    clock.advance(1900, TimeUnit.MILLISECONDS);
    assertThat(limits.publish(ip("127.0.0.1"), null).retryAfterSeconds()).isEqualTo(1);
    clock.advance(100, TimeUnit.MILLISECONDS);
    assertThat(limits.publish(ip("127.0.0.1"), null)).isNull();
    assertThat(limits.counters().refusedCount(Limit.PUBLISH_RATE, By.ADDRESS)).isEqualTo(2);
    assertThat(limits.counters().refusedCount(Limit.PUBLISH_RATE, By.SUBJECT)).isZero();
  }

  @Test
  void subjectsHaveTheirOwnBudgetsAndAnonymousRequestsCountByAddressOnly() throws Exception {
    RequestLimits limits = limits(0, 1, 0, 0);
    InetAddress a = ip("127.0.0.1");
    assertThat(limits.publish(a, "alice")).isNull();
    assertThat(limits.publish(ip("127.0.0.2"), "alice")).isNull();
    Refusal r = limits.publish(ip("127.0.0.3"), "alice");
    assertThat(r.by()).isEqualTo(By.SUBJECT);
    assertThat(r.reason()).isEqualTo("too many publish requests for this token subject: at most 1 per second");
    assertThat(limits.publish(a, "bob")).isNull();
    for (int i = 0; i < 10; i++) {
      assertThat(limits.publish(a, null)).isNull();
    }
  }

  @Test
  void ipv6AddressesCountByTheirSlash64() throws Exception {
    RequestLimits limits = limits(0.5, 0, 0, 0);
    assertThat(limits.publish(ip("2001:db8:1:2::1"), null)).isNull();
    assertThat(limits.publish(ip("2001:db8:1:2:ffff::99"), null)).isNotNull();
    assertThat(limits.publish(ip("2001:db8:1:3::1"), null)).isNull();
  }

  @Test
  void longSubjectsAreKeyedByABoundedHashAndStayApart() {
    String base = "x".repeat(10_000);
    String k1 = LimitKeys.subject(base + "1");
    String k2 = LimitKeys.subject(base + "2");
    assertThat(k1).hasSizeLessThanOrEqualTo(LimitKeys.MAX_KEY_CHARS).isNotEqualTo(k2);
    // No short subject can be chosen to land on a long one's key.
    assertThat(LimitKeys.subject(k1.substring(1))).isNotEqualTo(k1);
    assertThat(LimitKeys.subject("")).isNull();
    assertThat(LimitKeys.subject(null)).isNull();
  }

  @Test
  void streamLeasesCountUntilReleasedAndReleaseOnlyOnce() throws Exception {
    RequestLimits limits = limits(0, 0, 2, 0);
    InetAddress a = ip("127.0.0.1");
    RequestLimits.Admission first = limits.subscribe(a, null);
    RequestLimits.Admission second = limits.subscribe(a, null);
    assertThat(first.isRefused()).isFalse();
    assertThat(second.isRefused()).isFalse();
    Refusal third = limits.subscribe(a, null).refusal();
    assertThat(third.limit()).isEqualTo(Limit.STREAMS);
    assertThat(third.retryAfterSeconds()).isEqualTo(RequestLimits.STREAMS_RETRY_AFTER_SECONDS);
    assertThat(third.reason()).isEqualTo("too many open streams from this address: at most 2");
    assertThat(limits.subscribe(ip("127.0.0.2"), null).isRefused()).isFalse();

    // Released twice (a close listener and a shutdown, say): it frees one place, not two.
    first.lease().release();
    first.lease().release();
    assertThat(limits.openStreams(a)).isEqualTo(1);
    RequestLimits.Admission again = limits.subscribe(a, null);
    assertThat(again.isRefused()).isFalse();
    assertThat(limits.subscribe(a, null).isRefused()).isTrue();
    second.lease().release();
    again.lease().release();
    assertThat(limits.openStreams(a)).isZero();
  }

  @Test
  void aStreamRefusedForItsSubjectTakesNoPlaceOfItsAddress() throws Exception {
    RequestLimits limits = limits(0, 0, 5, 1);
    InetAddress a = ip("127.0.0.1");
    RequestLimits.Admission alice = limits.subscribe(a, "alice");
    assertThat(alice.isRefused()).isFalse();
    Refusal r = limits.subscribe(a, "alice").refusal();
    assertThat(r.by()).isEqualTo(By.SUBJECT);
    assertThat(r.reason()).isEqualTo("too many open streams for this token subject: at most 1");
    assertThat(limits.openStreams(a)).isEqualTo(1);
    assertThat(limits.subscribe(a, "bob").isRefused()).isFalse();
    assertThat(limits.subscribe(a, null).isRefused()).isFalse();
    assertThat(limits.openStreams(a)).isEqualTo(3);
    assertThat(limits.openStreamsOfSubject("alice")).isEqualTo(1);
    assertThat(limits.counters().refusedCount(Limit.STREAMS, By.SUBJECT)).isEqualTo(1);
  }

  @Test
  void streamCountsKeepNoKeyOnceItsStreamsEnded() throws Exception {
    RequestLimits limits = limits(0, 0, 3, 3);
    for (int i = 0; i < 1000; i++) {
      RequestLimits.Admission admission = limits.subscribe(ip("10.0." + (i / 250) + "." + (i % 250)), "user-" + i);
      assertThat(admission.isRefused()).isFalse();
      admission.lease().release();
    }
    assertThat(limits.streamKeys()).isZero();
  }
}
