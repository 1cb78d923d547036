package io.herald.cli;

import io.herald.core.worker.FatalErrors;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;

/**
 * What {@code herald serve} does when a worker of the hub dies ({@link FatalErrors}): log it once
 * (the thread, the cause on one line, then its stack), flush the logs, and halt with
 * {@link #EXIT_CODE}, so that a supervisor (systemd, Kubernetes, docker --restart) starts a fresh
 * hub instead of keeping one that holds its port and serves nothing.
 *
 * <p>Why {@link Runtime#halt} and not {@link System#exit}: exit runs shutdown hooks and waits for
 * them, and a hook (or the thread calling exit) may wait on the very thread or lock that just
 * died, which is the zombie this class exists to prevent. Nothing acknowledged is lost by halting:
 * a publisher gets its 200 only once its update is stored (fsynced with {@code --fsync always},
 * handed to the OS with {@code --fsync os}, in Redis for a cluster), and subscribers resume from
 * the history after the restart.
 */
final class FatalExit implements FatalErrors.Handler {
  /** {@code EX_SOFTWARE} from sysexits.h: an internal software error. */
  static final int EXIT_CODE = 70;

  private static final System.Logger LOG = System.getLogger(FatalExit.class.getName());

  private final AtomicBoolean reported = new AtomicBoolean();

  static void install() {
    FatalErrors.install(new FatalExit());
  }

  @Override
  public void fatal(Thread thread, Throwable cause) {
    try {
      if (reported.compareAndSet(false, true)) {
        // One line (the formatter appends the cause), then the stack.
        LOG.log(Level.ERROR, "thread '" + thread.getName() + "' died, stopping the hub with exit code "
            + EXIT_CODE + " so that it is restarted", cause);
        for (Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
          h.flush();
        }
        System.err.flush();
        System.out.flush();
      }
    } finally {
      // Also when logging failed (out of memory): the exit matters more than the message.
      Runtime.getRuntime().halt(EXIT_CODE);
    }
  }
}
