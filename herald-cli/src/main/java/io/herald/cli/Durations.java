package io.herald.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations the way operators write them: {@code 15s}, {@code 500ms}, {@code 2m},
 * {@code 1h}, {@code 7d}, a bare number of seconds, or ISO-8601 ({@code PT15S}).
 */
final class Durations implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    String v = value.trim();
    try {
      if (v.startsWith("P") || v.startsWith("p")) {
        return Duration.parse(v);
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      char unit = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
      String number = Character.isDigit(unit) ? v : v.substring(0, v.length() - 1);
      long n = Long.parseLong(number);
      if (n < 0) {
        throw new TypeConversionException("'" + value + "' is negative");
      }
      return switch (unit) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> {
          if (Character.isDigit(unit)) {
            yield Duration.ofSeconds(n);
          }
          throw new TypeConversionException("'" + value + "' is not a duration (e.g. 15s, 500ms, 2m)");
        }
      };
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new TypeConversionException("'" + value + "' is not a duration (e.g. 15s, 500ms, 2m)");
    }
  }
}
