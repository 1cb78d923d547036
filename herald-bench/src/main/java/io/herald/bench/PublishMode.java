package io.herald.bench;

/**
 * How the publisher offers updates. Both modes keep one request in flight per keep-alive
 * connection; they differ in what starts the next one.
 */
enum PublishMode {
  /**
   * A fixed rate ({@code --rate}) over up to {@code --publish-connections} connections; updates due
   * while every connection is busy wait, and more than a second behind they are skipped.
   */
  RATE,
  /**
   * Closed loop, as ordinary HTTP clients: each of {@code --publish-connections} connections sends
   * its next update as soon as the previous one is answered, with no rate (the rate is ignored),
   * so the report shows the rate the target acknowledges and its round trip.
   */
  CLOSED
}
