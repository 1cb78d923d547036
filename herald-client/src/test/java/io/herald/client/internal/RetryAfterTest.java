package io.herald.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  @Test
  void delaySeconds() {
    assertThat(RetryAfter.parse("0")).contains(Duration.ZERO);
    assertThat(RetryAfter.parse(" 120 ")).contains(Duration.ofSeconds(120));
  }

  @Test
  void httpDateInThePastMeansNow() {
    assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT")).contains(Duration.ZERO);
  }

  @Test
  void httpDateInTheFutureIsTheTimeLeft() {
    String inAnHour =
        ZonedDateTime.now(ZoneOffset.UTC).plusHours(1).format(DateTimeFormatter.RFC_1123_DATE_TIME);
    assertThat(RetryAfter.parse(inAnHour).orElseThrow())
        .isGreaterThan(Duration.ofMinutes(58))
        .isLessThanOrEqualTo(Duration.ofHours(1));
  }

  @Test
  void absurdValuesAreCappedAndGarbageIgnored() {
    assertThat(RetryAfter.parse("99999999999999")).contains(Duration.ofDays(1));
    assertThat(RetryAfter.parse("soon")).isEmpty();
    assertThat(RetryAfter.parse("-5")).isEmpty();
    assertThat(RetryAfter.parse("")).isEmpty();
  }
}
