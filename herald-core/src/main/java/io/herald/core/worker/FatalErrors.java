package io.herald.core.worker;

import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * The one place a failure that leaves the hub half-alive is reported: a long-lived thread that
 * died (its loop is gone, so whatever it served waits forever), a periodic task that stopped, or
 * an {@link Error} (out of memory, stack overflow, {@code ThreadDeath}) in any worker, after which
 * no state can be trusted.
 *
 * <p>The process decides what such a failure means. A library embedding the hub gets the default:
 * the failure is logged at SEVERE with its stack and nothing more. {@code herald serve} installs a
 * handler that logs and stops the process with a non-zero exit, so a supervisor restarts it instead
 * of leaving a hub that holds its port and serves nothing.
 *
 * <p>{@link Workers} makes the threads and executors whose failures come here.
 */
public final class FatalErrors {
  private static final System.Logger LOG = System.getLogger(FatalErrors.class.getName());

  /** Receives every fatal failure: the thread it happened on and what was thrown. */
  @FunctionalInterface
  public interface Handler {
    void fatal(Thread thread, Throwable cause);
  }

  private static final Handler LOG_ONLY = (thread, cause) ->
      LOG.log(Level.ERROR, "worker thread '" + thread.getName() + "' failed: " + cause, cause);

  private static volatile Handler handler = LOG_ONLY;

  private FatalErrors() {}

  /** Makes {@code h} receive fatal failures from now on; returns the handler it replaces. */
  public static Handler install(Handler h) {
    Handler previous = handler;
    handler = Objects.requireNonNull(h, "handler");
    return previous;
  }

  /** Reports a failure of {@code thread} to the installed handler. Never throws. */
  public static void report(Thread thread, Throwable cause) {
    try {
      handler.fatal(thread, cause);
    } catch (Throwable reportFailed) {
      // Nothing better can be done: the handler itself failed (out of memory, most likely).
    }
  }
}
