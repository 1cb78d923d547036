package io.herald.hub.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Token buckets per key, timed by a clock the test moves: no sleeping, no wall clock. */
class RateLimiterTest {
  private final TestClock clock = new TestClock();

  @Test
  void allowsABurstOfTwiceTheRateThenRefusesUntilATokenFlowsIn() {
    RateLimiter limiter = new RateLimiter(5, 100, clock);
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryAcquire("a")).as("request %d of the burst", i).isZero();
    }
    long wait = limiter.tryAcquire("a");
    // 5 per second: the next token is 200 ms away.
    assertThat(wait).isCloseTo(TimeUnit.MILLISECONDS.toNanos(200), within(2L));
    clock.advance(199, TimeUnit.MILLISECONDS);
    assertThat(limiter.tryAcquire("a")).isCloseTo(TimeUnit.MILLISECONDS.toNanos(1), within(2L));
    clock.advance(wait - TimeUnit.MILLISECONDS.toNanos(199), TimeUnit.NANOSECONDS);
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isPositive();
  }

  @Test
  void refusedRequestsTakeNothingAndTheBucketRefillsOnlyToItsBurst() {
    RateLimiter limiter = new RateLimiter(1, 100, clock);
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isZero();
    for (int i = 0; i < 50; i++) {
      assertThat(limiter.tryAcquire("a")).isPositive();
    }
    // However long it was idle, it holds at most the burst (2).
    clock.advance(1, TimeUnit.HOURS);
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isCloseTo(TimeUnit.SECONDS.toNanos(1), within(2L));
  }

  @Test
  void slowRatesStillAllowOneRequest() {
    RateLimiter limiter = new RateLimiter(0.1, 100, clock);
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isCloseTo(TimeUnit.SECONDS.toNanos(10), within(2L));
  }

  @Test
  void keysHaveTheirOwnBuckets() {
    RateLimiter limiter = new RateLimiter(1, 100, clock);
    limiter.tryAcquire("a");
    limiter.tryAcquire("a");
    assertThat(limiter.tryAcquire("a")).isPositive();
    assertThat(limiter.tryAcquire("b")).isZero();
  }

  @Test
  void stateStaysBoundedWithManyDistinctKeys() {
    RateLimiter limiter = new RateLimiter(1, 1000, clock);
    for (int i = 0; i < 50_000; i++) {
      assertThat(limiter.tryAcquire("client-" + i)).isZero();
    }
    assertThat(limiter.keys()).isLessThanOrEqualTo(1000);
  }

  @Test
  void withinItsCapacityNoKeyIsForgotten() {
    RateLimiter limiter = new RateLimiter(1, 1000, clock);
    limiter.tryAcquire("hot");
    limiter.tryAcquire("hot");
    for (int i = 0; i < 900; i++) {
      limiter.tryAcquire("other-" + i);
      assertThat(limiter.tryAcquire("hot")).as("after %d other keys", i).isPositive();
    }
    assertThat(limiter.keys()).isEqualTo(901);
  }

  @Test
  void idleKeysAreForgottenOnceTheirBucketWouldBeFullAgain() {
    RateLimiter limiter = new RateLimiter(1, 1000, clock);
    for (int i = 0; i < 500; i++) {
      limiter.tryAcquire("client-" + i);
    }
    assertThat(limiter.keys()).isEqualTo(500);
    // The burst of 2 refills in 2 s: after that a forgotten bucket and a new one are the same.
    clock.advance(2001, TimeUnit.MILLISECONDS);
    assertThat(limiter.keys()).isZero();
  }

  @Test
  void rejectsNonsenseRates() {
    assertThatThrownBy(() -> new RateLimiter(0, 10, clock)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimiter(Double.NaN, 10, clock)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimiter(Double.POSITIVE_INFINITY, 10, clock))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
