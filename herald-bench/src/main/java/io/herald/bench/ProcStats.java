package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the target's processes use, read from {@code /proc}: resident memory (see {@link
 * #rssBytes}) and CPU time ({@code utime + stime} of {@code stat}), summed over the processes
 * (Nchan runs a master and workers). For a JVM target, the heap in use after a full GC, via
 * {@code jcmd}.
 */
final class ProcStats {
  /** Clock ticks per second of {@code /proc/<pid>/stat}: 100 on every Linux this runs on. */
  private static final long TICKS_PER_SECOND = 100;
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  private final List<Long> pids;

  ProcStats(List<Long> pids) {
    this.pids = List.copyOf(pids);
  }

  boolean enabled() {
    return !pids.isEmpty();
  }

  /**
   * Resident memory of the processes in bytes, or -1 when unknown. With several processes (Nchan's
   * workers share memory) it is the sum of their proportional set sizes ({@code Pss} of {@code
   * smaps_rollup}), so shared pages count once; one process reports its {@code VmRSS}.
   */
  long rssBytes() {
    if (pids.isEmpty()) {
      return -1;
    }
    long sum = 0;
    for (long pid : pids) {
      long v = pids.size() > 1 ? field(pid, "smaps_rollup", "Pss:") : -1;
      if (v < 0) {
        v = field(pid, "status", "VmRSS:");
      }
      if (v < 0) {
        return -1;
      }
      sum += v;
    }
    return sum;
  }

  /** A {@code kB} field of a {@code /proc/<pid>} file, in bytes, or -1. */
  private static long field(long pid, String file, String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
        if (line.startsWith(name)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** CPU time the processes used so far, in nanoseconds, or -1 when unknown. */
  long cpuNanos() {
    if (pids.isEmpty()) {
      return -1;
    }
    long ticks = 0;
    for (long pid : pids) {
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name may hold spaces: fields are counted after its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }
    return ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /**
   * The heap in use after a full GC, in bytes, summed over the processes, or -1 when it cannot be
   * read ({@code jcmd} missing, or not a JVM). Runs {@code jcmd <pid> GC.run} then {@code
   * GC.heap_info}.
   */
  long heapAfterGcBytes() {
    if (pids.isEmpty()) {
      return -1;
    }
    long sum = 0;
    for (long pid : pids) {
      if (jcmd(pid, "GC.run") == null) {
        return -1;
      }
      String info = jcmd(pid, "GC.heap_info");
      if (info == null) {
        return -1;
      }
      Matcher m = HEAP_USED.matcher(info);
      if (!m.find()) {
        return -1;
      }
      sum += Long.parseLong(m.group(1)) * 1024;
    }
    return sum;
  }

  private static String jcmd(long pid, String command) {
    try {
      Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroy();
        return null;
      }
      return out;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
