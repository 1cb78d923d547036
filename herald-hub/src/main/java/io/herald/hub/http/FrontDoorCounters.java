package io.herald.hub.http;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the front door refuses or cuts short, for {@code /metrics}: connections refused at
 * accept, connections and requests timed out, bodies refused for the in-flight budget.
 * Thread-safe, contention-free.
 */
public final class FrontDoorCounters {
  private final LongAdder refusedPerAddress = new LongAdder();
  private final LongAdder refusedTotal = new LongAdder();
  private final LongAdder headerTimeouts = new LongAdder();
  private final LongAdder bodyTimeouts = new LongAdder();
  private final LongAdder idleHttp2 = new LongAdder();
  private final LongAdder bodiesRefusedInFlight = new LongAdder();

  void connectionRefusedPerAddress() {
    refusedPerAddress.increment();
  }

  void connectionRefusedTotal() {
    refusedTotal.increment();
  }

  void headerTimeout() {
    headerTimeouts.increment();
  }

  void bodyTimeout() {
    bodyTimeouts.increment();
  }

  void http2IdleClosed() {
    idleHttp2.increment();
  }

  public void bodyRefusedInFlight() {
    bodiesRefusedInFlight.increment();
  }

  /** Connections closed at accept because their address had too many open. */
  public long connectionsRefusedPerAddress() {
    return refusedPerAddress.sum();
  }

  /** Connections closed at accept because the hub had too many open. */
  public long connectionsRefusedTotal() {
    return refusedTotal.sum();
  }

  /** HTTP/1.1 connections closed for not delivering a request head in time (slowloris, idle). */
  public long headerTimeouts() {
    return headerTimeouts.sum();
  }

  /** Requests (HTTP/1.1 or HTTP/2 streams) answered 408 because their body stalled. */
  public long bodyTimeouts() {
    return bodyTimeouts.sum();
  }

  /** HTTP/2 connections closed for having no stream and sending nothing for the header timeout. */
  public long http2IdleCloses() {
    return idleHttp2.sum();
  }

  /** Request bodies refused with 503 because the hub-wide budget of bodies in flight was full. */
  public long bodiesRefusedInFlight() {
    return bodiesRefusedInFlight.sum();
  }
}
