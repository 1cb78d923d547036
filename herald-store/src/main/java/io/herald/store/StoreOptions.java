package io.herald.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link DurableHistory} stores and prunes.
 *
 * <p>Retention is enforced continuously on three limits at once; an update is kept only while it
 * is within all three. There is no "unlimited": the store must never grow without bound, so every
 * limit is a positive number (pass a large one to make a limit irrelevant).
 *
 * @param fsync when a batch reaches the disk ({@code --fsync})
 * @param maxCount the most updates kept ({@code --history-size})
 * @param maxAge how long an update is kept after it was appended ({@code --history-max-age})
 * @param maxBytes the most bytes of updates kept, counted as encoded record plus ID index entry
 *     ({@code --history-max-bytes}); the files on disk can exceed it by the engine's write-ahead
 *     log, memtables and not-yet-compacted space
 * @param maxDiskBytes a hard cap on the engine's table files, {@code 0} for none: beyond it
 *     appends fail (the hub answers 503) instead of filling the disk. A safety net under {@code
 *     maxBytes}, not a replacement: set it well above {@code maxBytes}
 * @param memtableBytes the engine's in-memory write buffer per column family; larger buffers mean
 *     fewer, larger flushes
 * @param sweepInterval how often the background sweep applies the age limit when no publishes
 *     arrive (appends apply all limits immediately)
 * @param clock the time source for update ages
 */
public record StoreOptions(
    FsyncPolicy fsync,
    long maxCount,
    Duration maxAge,
    long maxBytes,
    long maxDiskBytes,
    long memtableBytes,
    Duration sweepInterval,
    Clock clock) {

  /** {@code --history-size} default. */
  public static final long DEFAULT_MAX_COUNT = 1_000_000;
  /** {@code --history-max-age} default. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(1);
  /** {@code --history-max-bytes} default: 1 GiB. */
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  private static final long MIN_MEMTABLE_BYTES = 64 * 1024;
  private static final long MAX_MEMTABLE_BYTES = 1L << 30;

  public StoreOptions {
    Objects.requireNonNull(fsync, "fsync");
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(sweepInterval, "sweepInterval");
    Objects.requireNonNull(clock, "clock");
    if (maxCount < 1) {
      throw new IllegalArgumentException("history size must be at least 1, got " + maxCount);
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("history max age must be positive, got " + maxAge);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("history max bytes must be at least 1, got " + maxBytes);
    }
    if (maxDiskBytes < 0) {
      throw new IllegalArgumentException("max disk bytes must be 0 (none) or positive");
    }
    if (memtableBytes < MIN_MEMTABLE_BYTES || memtableBytes > MAX_MEMTABLE_BYTES) {
      throw new IllegalArgumentException(
          "memtable bytes must be between " + MIN_MEMTABLE_BYTES + " and " + MAX_MEMTABLE_BYTES);
    }
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("sweep interval must be positive");
    }
  }

  /** fsync always, one million updates, one day, 1 GiB, no disk cap, 32 MiB memtables. */
  public static StoreOptions defaults() {
    return new StoreOptions(
        FsyncPolicy.ALWAYS,
        DEFAULT_MAX_COUNT,
        DEFAULT_MAX_AGE,
        DEFAULT_MAX_BYTES,
        0,
        32L << 20,
        Duration.ofSeconds(1),
        Clock.systemUTC());
  }

  public StoreOptions withFsync(FsyncPolicy value) {
    return new StoreOptions(
        value, maxCount, maxAge, maxBytes, maxDiskBytes, memtableBytes, sweepInterval, clock);
  }

  public StoreOptions withMaxCount(long value) {
    return new StoreOptions(
        fsync, value, maxAge, maxBytes, maxDiskBytes, memtableBytes, sweepInterval, clock);
  }

  public StoreOptions withMaxAge(Duration value) {
    return new StoreOptions(
        fsync, maxCount, value, maxBytes, maxDiskBytes, memtableBytes, sweepInterval, clock);
  }

  public StoreOptions withMaxBytes(long value) {
    return new StoreOptions(
        fsync, maxCount, maxAge, value, maxDiskBytes, memtableBytes, sweepInterval, clock);
  }

  public StoreOptions withMaxDiskBytes(long value) {
    return new StoreOptions(
        fsync, maxCount, maxAge, maxBytes, value, memtableBytes, sweepInterval, clock);
  }

  public StoreOptions withMemtableBytes(long value) {
    return new StoreOptions(
        fsync, maxCount, maxAge, maxBytes, maxDiskBytes, value, sweepInterval, clock);
  }

  public StoreOptions withSweepInterval(Duration value) {
    return new StoreOptions(
        fsync, maxCount, maxAge, maxBytes, maxDiskBytes, memtableBytes, value, clock);
  }

  public StoreOptions withClock(Clock value) {
    return new StoreOptions(
        fsync, maxCount, maxAge, maxBytes, maxDiskBytes, memtableBytes, sweepInterval, value);
  }
}
