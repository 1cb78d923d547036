package io.herald.store;

import io.herald.core.history.History;
import io.herald.core.history.HistoryException;
import io.herald.core.history.ReplayStart;
import io.herald.core.update.UnsafeUpdateException;
import io.herald.core.update.Update;
import io.herald.core.worker.Workers;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;

/**
 * The durable history ({@code --history durable}): every accepted update in an embedded RocksDB
 * store under {@code --data-dir}, written before the publisher is acknowledged, replayed in pages,
 * pruned continuously by count, age and size.
 *
 * <p>Writes: {@link #append} turns one group-committed batch into one atomic RocksDB write batch
 * (the updates plus their ID index entries) with one fsync under {@link FsyncPolicy#ALWAYS}.
 * Either the whole batch is stored or the call throws and none of it is visible.
 *
 * <p>Retention: the visible range is {@code [first, last]}. After each append, and on a periodic
 * sweep for the age limit while no one publishes, {@code first} moves past whatever breaks a
 * limit: free unless a limit is exceeded, then a binary search over stored record headers. The
 * records below {@code first} are deleted on the background thread, off the publishers' path, in
 * chunks: one range delete of the updates plus point deletes of their ID index entries. The
 * newest record always stays on disk, so the sequence and the last event ID survive a restart
 * even when everything has aged out.
 *
 * <p>Reads never take a lock that a write holds for long: RocksDB reads are consistent while a
 * write runs, and they only ever look at {@code [first, last]}, which pruning never touches.
 *
 * <p>Storage faults pass: once a write fails with an I/O error (a full disk, the engine's space
 * cap), RocksDB keeps refusing writes until it is resumed, which its Java binding cannot ask for.
 * So the history recovers itself: at most every {@link #RECOVERY_INTERVAL_MILLIS}, from the
 * background thread and from the next append, it checks there is room again, tries a tiny write
 * and, if the engine still refuses after an I/O error, closes and reopens it (what a restart
 * would do, without one). Appends meanwhile fail at once with the original reason; reads keep
 * being served. The
 * in-memory bounds stay as they were: only acknowledged batches are visible, and what a refused
 * batch may have left past {@code last} is deleted on reopen.
 */
public final class DurableHistory implements History {
  private static final System.Logger LOG = System.getLogger(DurableHistory.class.getName());
  /** Physical deletes wait until this many records are pruned, to keep range tombstones few. */
  private static final int PRUNE_SLACK = 1024;
  /** Records deleted per prune write, so one prune write stays small. */
  private static final int PRUNE_CHUNK = 16_384;
  /** Initial page capacity; a page grows only as far as the records actually read. */
  private static final int PAGE_PREALLOCATION = 256;
  private static final long CLOSE_WAIT_SECONDS = 5;
  /** How often a history whose writes failed checks whether it can write again. */
  static final long RECOVERY_INTERVAL_MILLIS = 1000;
  /**
   * Free bytes the filesystem must have before a failed engine is reopened: reopening flushes
   * the recovered write-ahead log to table files, so room for both memtables and some slack.
   */
  private static final long REOPEN_SLACK_BYTES = 4L << 20;
  private static final byte[] PROBE_KEY = "herald-write-probe".getBytes(StandardCharsets.UTF_8);

  private final Path dir;
  private final StoreOptions options;
  /** Replaced only by {@link #recover} under the lifecycle write lock. */
  private volatile RocksEngine engine;
  private final long maxAgeMillis;
  /** Serializes appends and moves of {@code first}. */
  private final ReentrantLock writeLock = new ReentrantLock();
  /** Serializes physical deletion; taken after writeLock when both are needed. */
  private final ReentrantLock pruneLock = new ReentrantLock();
  /** Every call holds it shared; close holds it exclusively so no call sees freed natives. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ScheduledExecutorService background;
  private final AtomicBoolean pruneQueued = new AtomicBoolean();

  // Read by any thread; written under writeLock.
  private volatile long first = 1; // oldest visible sequence; last + 1 when none is visible
  private volatile long last; // newest stored sequence, 0 when empty
  private volatile String lastId;
  private volatile boolean closed;
  /** The engine refused a write and has not been seen writing since: see the class comment. */
  private volatile HistoryException failure;
  /** Whether {@link #failure} is an I/O error, which a reopen may cure (others only a probe). */
  private volatile boolean reopenMayCure;
  private volatile long nextRecoveryNanos;
  /** The cap on table files, changed at runtime by {@link #maxDiskBytes(long)}; 0 for none. */
  private volatile long maxDiskBytes;

  // Under writeLock only.
  private long bytesAfterLast; // RecordCodec.accountedSize summed over every update ever stored
  private long countAfterLast; // records ever appended (their countBefore runs on from it)
  private long lastAppendedAt;
  private RecordCodec.Header firstHeader; // header of the record at first, null when none visible

  // Under pruneLock only.
  private long physicalFirst = 1; // oldest sequence still on disk
  private long reclaimedBelow = 1; // table files below this sequence were already dropped
  private volatile long physicalFirstEstimate = 1; // for the writer, to decide when to queue

  private DurableHistory(Path dir, StoreOptions options, RocksEngine engine) {
    this.dir = dir;
    this.options = options;
    this.engine = engine;
    this.maxAgeMillis = saturatedMillis(options);
    this.maxDiskBytes = options.maxDiskBytes();
    // An Error in a sweep or a prune, or a sweep that throws at all, goes to the fatal handler
    // (Workers#scheduler): a silently stopped sweep would let the history outgrow its limits.
    this.background = Workers.scheduler("herald-history-retention");
  }

  /**
   * Opens the history in {@code dir}, creating it when the directory is new or empty.
   *
   * @throws HistoryException with a one-line message naming {@code dir} when the directory is not
   *     a Herald history, is in use by another process, or the store is damaged
   */
  public static DurableHistory open(Path dir, StoreOptions options) throws HistoryException {
    Path abs = dir.toAbsolutePath().normalize();
    boolean created = StoreDirectory.prepare(abs);
    RocksEngine engine = RocksEngine.open(abs, options, created);
    DurableHistory h = new DurableHistory(abs, options, engine);
    try {
      h.recover();
    } catch (HistoryException | RuntimeException e) {
      h.close();
      throw e;
    }
    long period = options.sweepInterval().toMillis();
    h.background.scheduleWithFixedDelay(h::sweep, period, period, TimeUnit.MILLISECONDS);
    h.background.scheduleWithFixedDelay(
        h::recoverInBackground,
        RECOVERY_INTERVAL_MILLIS,
        RECOVERY_INTERVAL_MILLIS,
        TimeUnit.MILLISECONDS);
    return h;
  }

  /** The directory this history lives in (absolute). */
  public Path directory() {
    return dir;
  }

  /** The oldest sequence still replayable; {@code lastSequence() + 1} when none is. */
  public long firstSequence() {
    return first;
  }

  @Override
  public void append(List<Update> batch) throws HistoryException {
    if (batch.isEmpty()) {
      return;
    }
    if (failure != null) {
      recover(false);
    }
    lifecycle.readLock().lock();
    writeLock.lock();
    try {
      ensureOpen();
      // Sequences increase; they may skip numbers (taken by updates kept elsewhere, see
      // core's SplitHistory), which is why retention counts records by countBefore.
      HistoryException failed = failure;
      if (failed != null) {
        throw new HistoryException(failed.getMessage(), failed);
      }
      long start = batch.get(0).sequence();
      if (start < 1 || start <= last) {
        throw new IllegalArgumentException(
            "batch starts at sequence " + start + " but the history ends at " + last);
      }
      long now = Math.max(options.clock().millis(), lastAppendedAt);
      long bytes = bytesAfterLast;
      long count = countAfterLast;
      RecordCodec.Header headOfBatch = new RecordCodec.Header(now, bytes, count);
      try (WriteBatch wb = new WriteBatch()) {
        long previous = start - 1;
        for (Update u : batch) {
          if (u.sequence() <= previous) {
            throw new IllegalArgumentException(
                "batch sequences do not increase at " + u.sequence());
          }
          previous = u.sequence();
          byte[] key = Keys.of(u.sequence());
          byte[] id = RecordCodec.utf8(u.id());
          byte[] value = RecordCodec.encode(u, now, bytes, count);
          wb.put(engine.updates, key, value);
          wb.put(engine.ids, Keys.idEntry(Keys.idPrefix(id), u.sequence()), new byte[0]);
          bytes += RecordCodec.accountedSize(value, id.length);
          count++;
        }
        engine.db.write(engine.appendWrite, wb);
      } catch (RocksDBException e) {
        HistoryException refused =
            RocksEngine.failure("cannot store " + batch.size() + " updates", dir, e);
        failed(refused, e.getStatus() == null || e.getStatus().getCode() == Status.Code.IOError);
        throw refused;
      }
      if (last == 0) {
        pruneLock.lock();
        try {
          setPhysicalFirst(start);
        } finally {
          pruneLock.unlock();
        }
      }
      boolean noneVisible = first > last;
      Update newest = batch.get(batch.size() - 1);
      lastId = newest.id();
      last = newest.sequence();
      bytesAfterLast = bytes;
      countAfterLast = count;
      lastAppendedAt = now;
      if (noneVisible) {
        first = start;
        firstHeader = headOfBatch;
      }
      // The batch is durable: a failing retention check must not turn its acknowledgement into
      // an error. The next append or sweep tries again.
      try {
        applyLimits(now);
      } catch (HistoryException | RuntimeException e) {
        LOG.log(Level.WARNING, "history retention failed in " + dir, e);
      }
      if (first - PRUNE_SLACK >= physicalFirstEstimate) {
        queuePrune();
      }
    } finally {
      writeLock.unlock();
      lifecycle.readLock().unlock();
    }
  }

  /** Writes work, as far as this history knows: no write failed since the last recovery. */
  @Override
  public boolean recovered() {
    return failure == null && !closed;
  }

  /**
   * Changes the engine's cap on table files at runtime ({@code 0}: none), for operators' tools
   * and tests; it also applies to an engine reopened by recovery.
   */
  public void maxDiskBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("max disk bytes must not be negative");
    }
    lifecycle.readLock().lock();
    try {
      maxDiskBytes = bytes;
      RocksEngine e = engine;
      if (!closed && e != null) {
        e.maxDiskBytes(bytes);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public long lastSequence() {
    return last;
  }

  /**
   * The ID of the newest update ever appended, even when retention has since made it
   * unreplayable (the newest record is kept on disk for exactly this and {@link #lastSequence}).
   */
  @Override
  public String lastEventId() {
    return lastId;
  }

  @Override
  public ReplayStart locate(String lastEventId) throws HistoryException {
    if (lastEventId == null || ReplayStart.EARLIEST.equals(lastEventId)) {
      return ReplayStart.earliest();
    }
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      Stored stored = stored(lastEventId);
      return stored == null ? ReplayStart.earliest() : new ReplayStart(stored.sequence(), lastEventId);
    } catch (RocksDBException e) {
      throw RocksEngine.failure("cannot look up event ID", dir, e);
    } catch (RecordCodec.CorruptRecordException e) {
      throw new HistoryException(e.getMessage() + " in " + dir, e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * The retained update stored under {@code eventId}, or {@code null}: one index seek and one
   * point read, like {@link #locate}. Pruned updates are not found, so their IDs may be reused.
   */
  @Override
  public Update find(String eventId) throws HistoryException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      Stored stored = stored(eventId);
      return stored == null ? null : safeOrNull(stored.sequence(), stored.value());
    } catch (RocksDBException e) {
      throw RocksEngine.failure("cannot look up event ID", dir, e);
    } catch (RecordCodec.CorruptRecordException e) {
      throw new HistoryException(e.getMessage() + " in " + dir, e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * The update stored at {@code seq}, or {@code null} when the record breaks {@link Update}'s
   * rules (a CR, LF or NUL in its ID or type: not written by this Herald, whose updates cannot
   * hold one). Such a record is skipped with a warning, as if it were not there, so it reaches no
   * subscriber and ends no replay; the records around it are read as usual.
   */
  private Update safeOrNull(long seq, byte[] value) {
    try {
      return RecordCodec.decode(seq, value);
    } catch (UnsafeUpdateException e) {
      LOG.log(Level.WARNING, "skipping record {0} in {1}, unsafe to replay: {2}",
          new Object[] {Long.toString(seq), dir, e.getMessage()});
      return null;
    }
  }

  /** A retained record found by its event ID: its sequence and its stored bytes. */
  private record Stored(long sequence, byte[] value) {}

  /**
   * The retained record stored under {@code eventId}, or {@code null} when the ID is unknown or
   * pruned. The caller holds the lifecycle's read lock. The index entry must name the record
   * actually stored at its sequence: a failed append can leave an entry for a sequence that a
   * later batch then took.
   */
  private Stored stored(String eventId) throws RocksDBException, RecordCodec.CorruptRecordException {
    byte[] id = RecordCodec.utf8(eventId);
    long seq = newestIndexed(Keys.idPrefix(id), last);
    if (seq < first) {
      return null;
    }
    byte[] value = engine.db.get(engine.updates, Keys.of(seq));
    if (value == null || !Arrays.equals(RecordCodec.idBytes(seq, value), id)) {
      return null;
    }
    return new Stored(seq, value);
  }

  /**
   * Reads one page. Streams from the engine: memory use is the page, whatever the backlog.
   * Records pruned meanwhile are skipped, so a page may start later than asked; a record unsafe
   * to replay is skipped too ({@link #safeOrNull}), and the page filled from the ones after it.
   */
  @Override
  public List<Update> read(long afterSequence, long upToSequence, int limit)
      throws HistoryException {
    if (limit <= 0 || afterSequence >= upToSequence || afterSequence >= last) {
      return List.of();
    }
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      long from = Math.max(afterSequence + 1, first);
      long to = Math.min(upToSequence, last);
      if (from > to) {
        return List.of();
      }
      // Sequences may have gaps: read records up to `to`, not a count of sequence numbers.
      List<Update> out = new ArrayList<>((int) Math.min(Math.min(limit, to - from + 1), PAGE_PREALLOCATION));
      try (Slice upper = new Slice(Keys.of(to + 1));
          ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
          RocksIterator it = engine.db.newIterator(engine.updates, ro)) {
        for (it.seek(Keys.of(from)); it.isValid() && out.size() < limit; it.next()) {
          long seq = Keys.sequence(it.key());
          Update u = safeOrNull(seq, it.value());
          if (u != null) {
            out.add(u);
          }
        }
        it.status();
      }
      return out;
    } catch (RocksDBException e) {
      throw RocksEngine.failure("cannot read history", dir, e);
    } catch (RecordCodec.CorruptRecordException e) {
      throw new HistoryException(e.getMessage() + " in " + dir, e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * Applies the retention limits now and deletes what they exclude, waiting for the deletion.
   * Appends and a background sweep (every {@link StoreOptions#sweepInterval()}) do this on their
   * own; it is public for operators' tools and tests.
   */
  public void enforceRetention() throws HistoryException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      writeLock.lock();
      try {
        applyLimits(Math.max(options.clock().millis(), lastAppendedAt));
      } finally {
        writeLock.unlock();
      }
      pruneLock.lock();
      try {
        pruneStored();
        reclaimFiles();
      } finally {
        pruneLock.unlock();
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void close() {
    background.shutdownNow();
    try {
      background.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (engine != null) {
        engine.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** Counts the ID index entries by a full scan; for tests that check the index is pruned too. */
  long indexEntriesForTest() throws HistoryException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      try (RocksIterator it = engine.db.newIterator(engine.ids)) {
        long n = 0;
        for (it.seekToFirst(); it.isValid(); it.next()) {
          n++;
        }
        it.status();
        return n;
      }
    } catch (RocksDBException e) {
      throw RocksEngine.failure("cannot scan the ID index", dir, e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "DurableHistory[" + dir + ", " + first + ".." + last + "]";
  }

  private void setPhysicalFirst(long value) {
    physicalFirst = value;
    physicalFirstEstimate = value;
  }

  private void queuePrune() {
    if (pruneQueued.compareAndSet(false, true)) {
      try {
        background.execute(this::pruneInBackground);
      } catch (RejectedExecutionException e) {
        pruneQueued.set(false); // closing
      }
    }
  }

  private void pruneInBackground() {
    pruneQueued.set(false);
    lifecycle.readLock().lock();
    pruneLock.lock();
    try {
      if (!closed) {
        pruneStored();
      }
    } catch (HistoryException | RuntimeException e) {
      LOG.log(Level.WARNING, "history pruning failed in " + dir, e);
    } finally {
      pruneLock.unlock();
      lifecycle.readLock().unlock();
    }
  }

  private void sweep() {
    try {
      enforceRetention();
    } catch (HistoryException | RuntimeException e) {
      if (!closed) {
        LOG.log(Level.WARNING, "history retention sweep failed in " + dir, e);
      }
    }
  }

  private void failed(HistoryException e, boolean ioError) {
    reopenMayCure = ioError;
    if (failure == null) {
      nextRecoveryNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECOVERY_INTERVAL_MILLIS);
      LOG.log(Level.WARNING, "history store refuses writes, recovering once it can: "
          + e.getMessage());
    }
    failure = e;
  }

  private void recoverInBackground() {
    if (failure != null && !closed) {
      recover(true);
    }
  }

  /**
   * Makes a failed engine write again, if there is room: first a tiny write (RocksDB may have
   * resumed by itself), else, after an I/O error, a close and reopen. At most once per {@link
   * #RECOVERY_INTERVAL_MILLIS} unless {@code due}. Holds the lifecycle lock exclusively, so no
   * call is using the engine it replaces; a reopen that fails leaves the history closed to
   * everything but further recovery attempts.
   */
  private void recover(boolean due) {
    long now = System.nanoTime();
    if (!due && now - nextRecoveryNanos < 0) {
      return;
    }
    lifecycle.writeLock().lock();
    try {
      if (failure == null || closed) {
        return;
      }
      nextRecoveryNanos = now + TimeUnit.MILLISECONDS.toNanos(RECOVERY_INTERVAL_MILLIS);
      if (!hasRoom()) {
        return;
      }
      if (engine != null && probe(engine)) {
        LOG.log(Level.INFO, "history store in " + dir + " writes again");
        failure = null;
        return;
      }
      if (!reopenMayCure) {
        return;
      }
      if (engine != null) {
        engine.close();
        engine = null;
      }
      RocksEngine reopened = RocksEngine.open(dir, options, maxDiskBytes, false);
      try {
        // A refused batch may have reached the write-ahead log: nothing past last is ours.
        reopened.db.deleteRange(
            reopened.updates, reopened.pruneWrite, Keys.of(last + 1), Keys.of(Long.MAX_VALUE));
      } catch (RocksDBException | RuntimeException e) {
        reopened.close();
        throw e;
      }
      if (!probe(reopened)) {
        reopened.close();
        return;
      }
      engine = reopened;
      failure = null;
      LOG.log(Level.INFO, "history store in " + dir + " reopened, writes again");
    } catch (HistoryException | RocksDBException | RuntimeException e) {
      LOG.log(Level.WARNING, "history store recovery failed in " + dir + ": "
          + e.getMessage());
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** Whether the filesystem (and the engine's cap, if any) has room for a reopen. */
  private boolean hasRoom() {
    try {
      if (Files.getFileStore(dir).getUsableSpace() < 2 * options.memtableBytes() + REOPEN_SLACK_BYTES) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
    return engine == null || !engine.atDiskCap();
  }

  /** A tiny synced write outside the history's data: does the engine take writes? */
  private static boolean probe(RocksEngine e) {
    try {
      e.db.put(e.appendWrite, PROBE_KEY, new byte[0]);
      return true;
    } catch (RocksDBException refused) {
      return false;
    }
  }

  private void ensureOpen() throws HistoryException {
    if (closed) {
      throw new HistoryException("history in " + dir + " is closed");
    }
    if (engine == null) {
      throw new HistoryException("history in " + dir + " is reopening: " + failure.getMessage());
    }
  }

  /**
   * The newest sequence indexed for an ID that is at most {@code upTo}, or {@code -1}. Entries
   * above {@code upTo} can only come from a batch whose append failed.
   */
  private long newestIndexed(byte[] prefix, long upTo) throws RocksDBException {
    try (Slice lower = new Slice(prefix);
        ReadOptions ro = new ReadOptions().setIterateLowerBound(lower);
        RocksIterator it = engine.db.newIterator(engine.ids, ro)) {
      it.seekForPrev(Keys.idEntry(prefix, upTo));
      if (!it.isValid()) {
        it.status();
        return -1;
      }
      return Keys.entrySequence(prefix, it.key());
    }
  }

  /** Rebuilds the in-memory bounds from the stored records (newest and oldest) and the limits. */
  private void recover() throws HistoryException {
    writeLock.lock();
    pruneLock.lock();
    try (RocksIterator it = engine.db.newIterator(engine.updates)) {
      it.seekToLast();
      if (!it.isValid()) {
        it.status();
        return; // empty: first = 1, last = 0
      }
      long newest = Keys.sequence(it.key());
      byte[] value = it.value();
      // Decoded to check it, though only its ID is kept; one that breaks Update's rules is no
      // reason to refuse the whole store (it is skipped wherever it would be read).
      safeOrNull(newest, value);
      byte[] newestId = RecordCodec.idBytes(newest, value);
      RecordCodec.Header h = RecordCodec.header(newest, value);
      last = newest;
      lastId = new String(newestId, StandardCharsets.UTF_8);
      lastAppendedAt = h.appendedAt();
      bytesAfterLast = h.bytesBefore() + RecordCodec.accountedSize(value, newestId.length);
      countAfterLast = h.countBefore() + 1;
      it.seekToFirst();
      it.status();
      setPhysicalFirst(Keys.sequence(it.key()));
      first = physicalFirst;
      firstHeader = headerAt(first);
      applyLimits(Math.max(options.clock().millis(), lastAppendedAt));
    } catch (RocksDBException e) {
      throw RocksEngine.failure("cannot read history", dir, e);
    } catch (RecordCodec.CorruptRecordException e) {
      throw new HistoryException("history store in " + dir + " is corrupted: " + e.getMessage());
    } finally {
      pruneLock.unlock();
      writeLock.unlock();
    }
  }

  /** Moves {@code first} past every record that breaks a limit. Cheap when none does. */
  private void applyLimits(long now) throws HistoryException {
    if (first > last) {
      return;
    }
    long target = first;
    if (countAfterLast - headerAt(first).countBefore() > options.maxCount()) {
      // With gaps in the sequences, last - maxCount + 1 holds at most maxCount records: the
      // first kept one is at or below it.
      long atMost = Math.max(first, last - options.maxCount() + 1);
      target = firstKept(first, atMost,
          s -> countAfterLast - headerAt(s).countBefore() <= options.maxCount());
    }
    long cutoff = now - maxAgeMillis; // records appended at or before it are too old
    if (target <= last && headerAt(target).appendedAt() <= cutoff) {
      target = firstKept(target, last, s -> headerAt(s).appendedAt() > cutoff);
    }
    if (target <= last && bytesAfterLast - headerAt(target).bytesBefore() > options.maxBytes()) {
      target =
          firstKept(
              target, last, s -> bytesAfterLast - headerAt(s).bytesBefore() <= options.maxBytes());
    }
    if (target != first) {
      firstHeader = target <= last ? headerAt(target) : null;
      first = target;
    }
  }

  /** A retention test that is false for older records and true from some sequence on. */
  @FunctionalInterface
  private interface Kept {
    boolean test(long sequence) throws HistoryException;
  }

  /** The smallest sequence in {@code [lo, hi]} that is kept, or {@code hi + 1}: a binary search. */
  private static long firstKept(long lo, long hi, Kept kept) throws HistoryException {
    long end = hi + 1;
    while (lo < end) {
      long mid = lo + (end - lo) / 2;
      if (kept.test(mid)) {
        end = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /**
   * The header of the record at {@code seq} or, when {@code seq} is a gap in the sequences, of
   * the next record after it (every retention test is monotone in the sequence, so this answers
   * them for the gap too). {@code seq} must be at most {@link #last}.
   */
  private RecordCodec.Header headerAt(long seq) throws HistoryException {
    if (seq == first && firstHeader != null) {
      return firstHeader;
    }
    try {
      byte[] value = engine.db.get(engine.updates, Keys.of(seq));
      if (value == null) {
        try (RocksIterator it = engine.db.newIterator(engine.updates)) {
          it.seek(Keys.of(seq));
          if (!it.isValid()) {
            it.status();
            throw new HistoryException(
                "history store in " + dir + " is damaged: no record from " + seq + " on");
          }
          return RecordCodec.header(Keys.sequence(it.key()), it.value());
        }
      }
      return RecordCodec.header(seq, value);
    } catch (RocksDBException e) {
      throw RocksEngine.failure("cannot read history", dir, e);
    } catch (RecordCodec.CorruptRecordException e) {
      throw new HistoryException(e.getMessage() + " in " + dir, e);
    }
  }

  /**
   * Deletes the records below {@code first}, except the newest record, which always stays so that
   * the sequence and last event ID survive a restart. Runs concurrently with appends: it only
   * touches sequences below {@code first}, and appends only write above {@code last}.
   */
  private void pruneStored() throws HistoryException {
    long end = Math.min(first, last);
    while (physicalFirst < end && !closed) {
      long chunkEnd = Math.min(end, physicalFirst + PRUNE_CHUNK);
      pruneChunk(physicalFirst, chunkEnd);
      setPhysicalFirst(chunkEnd);
    }
  }

  /** Deletes records {@code [from, to)} and their ID index entries, in one write. */
  private void pruneChunk(long from, long to) throws HistoryException {
    try (WriteBatch wb = new WriteBatch()) {
      try (Slice upper = new Slice(Keys.of(to));
          ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
          RocksIterator it = engine.db.newIterator(engine.updates, ro)) {
        for (it.seek(Keys.of(from)); it.isValid(); it.next()) {
          long seq = Keys.sequence(it.key());
          byte[] id = RecordCodec.idBytes(seq, it.value());
          wb.delete(engine.ids, Keys.idEntry(Keys.idPrefix(id), seq));
        }
        it.status();
      }
      wb.deleteRange(engine.updates, Keys.of(from), Keys.of(to));
      engine.db.write(engine.pruneWrite, wb);
    } catch (RocksDBException e) {
      throw RocksEngine.failure("cannot prune history", dir, e);
    } catch (RecordCodec.CorruptRecordException e) {
      throw new HistoryException(e.getMessage() + " in " + dir, e);
    }
  }

  /** Drops table files that hold only pruned records, without waiting for compaction. */
  private void reclaimFiles() throws HistoryException {
    if (physicalFirst <= reclaimedBelow) {
      return;
    }
    try {
      engine.db.deleteFilesInRanges(
          engine.updates, List.of(Keys.of(0), Keys.of(physicalFirst)), false);
      reclaimedBelow = physicalFirst;
    } catch (RocksDBException e) {
      throw RocksEngine.failure("cannot reclaim pruned files", dir, e);
    }
  }

  private static long saturatedMillis(StoreOptions options) {
    try {
      return options.maxAge().toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
