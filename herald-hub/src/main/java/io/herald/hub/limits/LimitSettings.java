package io.herald.hub.limits;

/**
 * The request limits an operator sets ({@code --publish-rate-per-address} and the like); 0 turns
 * a limit off, and every limit is off by default.
 *
 * <p>Rates are requests per second, with bursts of twice that (at least one request) allowed.
 * Per-address limits count by the TCP peer's address: behind a reverse proxy every client shares
 * the proxy's, so turn them off there and use the per-subject ones.
 *
 * @param publishRatePerAddress publish requests per second per client address
 * @param publishRatePerSubject publish requests per second per token subject ({@code sub})
 * @param subscribeRatePerAddress subscribe requests (and subscriptions API reads) per second per
 *     client address
 * @param subscribeRatePerSubject the same per token subject
 * @param maxStreamsPerAddress open event streams per client address
 * @param maxStreamsPerSubject open event streams per token subject
 */
public record LimitSettings(
    double publishRatePerAddress,
    double publishRatePerSubject,
    double subscribeRatePerAddress,
    double subscribeRatePerSubject,
    int maxStreamsPerAddress,
    int maxStreamsPerSubject) {

  /** No limit at all: the default. */
  public static final LimitSettings OFF = new LimitSettings(0, 0, 0, 0, 0, 0);

  public LimitSettings {
    rate(publishRatePerAddress, "--publish-rate-per-address");
    rate(publishRatePerSubject, "--publish-rate-per-subject");
    rate(subscribeRatePerAddress, "--subscribe-rate-per-address");
    rate(subscribeRatePerSubject, "--subscribe-rate-per-subject");
    if (maxStreamsPerAddress < 0 || maxStreamsPerSubject < 0) {
      throw new IllegalArgumentException("--max-streams-per-address and --max-streams-per-subject must be 0 (off) or more");
    }
  }

  private static void rate(double value, String flag) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(flag + " must be 0 (off) or a positive number of requests per second");
    }
  }
}
