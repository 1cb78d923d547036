package io.herald.client.internal;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads a {@code Retry-After} header (RFC 9110 §10.2.3): delay-seconds or an HTTP date. A Herald
 * hub that is draining answers 503 with one, as overloaded servers and rate limiters do.
 */
public final class RetryAfter {
  /** Beyond this a value is treated as a mistake rather than obeyed (a day). */
  private static final Duration MAX = Duration.ofDays(1);

  private RetryAfter() {}

  /** The delay the response asks for, if it carries a valid {@code Retry-After}. */
  public static Optional<Duration> from(HttpHeaders headers) {
    return headers.firstValue("Retry-After").flatMap(RetryAfter::parse);
  }

  static Optional<Duration> parse(String value) {
    String v = value.strip();
    Duration delay;
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      delay = v.length() > 9 ? MAX : Duration.ofSeconds(Long.parseLong(v));
    } else {
      try {
        Instant when = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        delay = Duration.between(Instant.now(), when);
        if (delay.isNegative()) {
          delay = Duration.ZERO;
        }
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    return Optional.of(delay.compareTo(MAX) > 0 ? MAX : delay);
  }
}
