package io.herald.cli;

import io.herald.core.history.History;
import io.herald.core.transport.Transport;
import io.herald.core.worker.Workers;
import io.herald.hub.HubServer;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Stops a serving hub on SIGTERM or SIGINT without losing anyone's updates, and exits 0.
 *
 * <p>The order matters: stop accepting (new requests get 503 + {@code Retry-After}); let the
 * transport finish the publishes already accepted, so each is stored, acknowledged and dispatched;
 * then end every stream after the last update it was due, with a short {@code retry:} so its
 * client reconnects at once (to this hub restarted, or another) and resumes with
 * {@code Last-Event-ID}; then close the history, which flushes it. If that takes longer than the
 * grace period, the process stops anyway: what was acknowledged is already durable.
 *
 * <p>Signals are handled directly (not by a JVM shutdown hook) so the process can exit with 0,
 * which is what orchestrators expect of a clean stop.
 */
final class GracefulShutdown {
  private static final System.Logger LOG = System.getLogger(GracefulShutdown.class.getName());

  private final HubServer hub;
  private final Transport transport;
  private final History history;
  private final Duration gracePeriod;
  private final CountDownLatch requested = new CountDownLatch(1);

  GracefulShutdown(HubServer hub, Transport transport, History history, Duration gracePeriod) {
    this.hub = hub;
    this.transport = transport;
    this.history = history;
    this.gracePeriod = gracePeriod;
  }

  void install() {
    Signal.handle(new Signal("TERM"), sig -> requested.countDown());
    Signal.handle(new Signal("INT"), sig -> requested.countDown());
  }

  /** Blocks until a stop is requested, then drains; returns whether it finished in time. */
  boolean awaitStopped() throws InterruptedException {
    requested.await();
    LOG.log(Level.INFO, "stop requested: draining (grace period " + gracePeriod.toMillis() + " ms)");
    // A drain that fails half-way is not a clean stop: the fatal handler exits non-zero.
    Thread drain = Workers.thread("herald-drain", () -> {
      hub.startDrain();
      transport.close();
      hub.close();
      history.close();
    });
    drain.start();
    drain.join(gracePeriod.toMillis());
    if (drain.isAlive()) {
      LOG.log(Level.WARNING, "drain did not finish within the grace period; exiting anyway");
      return false;
    }
    LOG.log(Level.INFO, "stopped cleanly");
    return true;
  }
}
