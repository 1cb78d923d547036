package io.herald.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;

/**
 * Warns at startup when the JVM would survive an {@link OutOfMemoryError}: after one, any thread
 * may have died half-way, and a hub that stays up that way holds its port and serves nothing.
 * The {@code herald} launcher passes {@code -XX:+ExitOnOutOfMemoryError}; someone running the jar
 * with a plain {@code java -jar} gets this one line telling them to.
 */
final class OutOfMemoryCheck {
  private static final System.Logger LOG = System.getLogger(OutOfMemoryCheck.class.getName());

  private OutOfMemoryCheck() {}

  static void warnIfTheJvmSurvivesIt() {
    if (!exitsOnOutOfMemory()) {
      LOG.log(Level.WARNING,
          "the JVM runs without -XX:+ExitOnOutOfMemoryError: after an OutOfMemoryError the "
          + "hub could stay up without serving; add it to the java command (the herald launcher does)");
    }
  }

  /** Whether the JVM ends itself on an OutOfMemoryError (exit or crash); true when unknown. */
  static boolean exitsOnOutOfMemory() {
    try {
      HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (hotspot == null) {
        return true; // not HotSpot: nothing to check, nothing to warn about
      }
      return "true".equals(hotspot.getVMOption("ExitOnOutOfMemoryError").getValue())
          || "true".equals(hotspot.getVMOption("CrashOnOutOfMemoryError").getValue());
    } catch (RuntimeException notAvailable) {
      return true;
    }
  }
}
