package io.herald.store;

import io.herald.core.history.HistoryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.AbstractNativeReference;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.Env;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileManager;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB database behind a {@link DurableHistory}: its tuning, its two column families, and
 * the native resources that must be closed after it.
 *
 * <p>Column families: {@code updates} maps an 8-byte sequence to an encoded update ({@link
 * RecordCodec}); {@code ids} holds one empty-valued entry per (event ID, sequence), see
 * {@link Keys}, so {@code Last-Event-ID} resolves with one seek. Both are written in one {@code WriteBatch} per
 * group commit, which RocksDB applies atomically: one write-ahead-log record and, under {@link
 * FsyncPolicy#ALWAYS}, one fsync per batch.
 */
final class RocksEngine implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private static final byte[] UPDATES = "updates".getBytes(StandardCharsets.UTF_8);
  private static final byte[] IDS = "ids".getBytes(StandardCharsets.UTF_8);
  /** Bounds the write-ahead log: past it, RocksDB flushes memtables so old logs can go. */
  private static final long MAX_TOTAL_WAL_BYTES = 64L << 20;
  private static final long BLOCK_CACHE_BYTES = 32L << 20;
  private static final long INFO_LOG_BYTES = 4L << 20;
  private static final int INFO_LOGS_KEPT = 2;
  private static final int BACKGROUND_JOBS = 2;

  final RocksDB db;
  final ColumnFamilyHandle updates;
  final ColumnFamilyHandle ids;
  /** For group commits: synced per the fsync policy. */
  final WriteOptions appendWrite;
  /** For pruning: never waits for an fsync; a lost prune is redone after a restart. */
  final WriteOptions pruneWrite;

  private final List<ColumnFamilyHandle> handles;
  private final List<AbstractNativeReference> resources;
  private final SstFileManager files;

  private RocksEngine(
      RocksDB db,
      List<ColumnFamilyHandle> handles,
      WriteOptions appendWrite,
      WriteOptions pruneWrite,
      List<AbstractNativeReference> resources,
      SstFileManager files) {
    this.db = db;
    this.files = files;
    this.handles = handles;
    this.updates = handles.get(1);
    this.ids = handles.get(2);
    this.appendWrite = appendWrite;
    this.pruneWrite = pruneWrite;
    this.resources = resources;
  }

  static RocksEngine open(Path dir, StoreOptions options, boolean create)
      throws HistoryException {
    return open(dir, options, options.maxDiskBytes(), create);
  }

  /** Opens with {@code maxDiskBytes} as the table-file cap instead of the options' one. */
  static RocksEngine open(Path dir, StoreOptions options, long maxDiskBytes, boolean create)
      throws HistoryException {
    List<AbstractNativeReference> resources = new ArrayList<>();
    try {
      // An SstFileManager is what lets RocksDB recover by itself from a full disk once space is
      // freed; it also enforces the optional hard cap on table files.
      SstFileManager files = track(resources, new SstFileManager(Env.getDefault()));
      if (maxDiskBytes > 0) {
        files.setMaxAllowedSpaceUsage(maxDiskBytes);
      }
      DBOptions db =
          track(resources, new DBOptions())
              .setCreateIfMissing(create)
              .setCreateMissingColumnFamilies(create)
              .setParanoidChecks(true)
              // After a crash, recover every complete batch and drop a torn tail: a batch is
              // either wholly replayed or not at all.
              .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
              .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES)
              .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
              .setMaxLogFileSize(INFO_LOG_BYTES)
              .setKeepLogFileNum(INFO_LOGS_KEPT)
              .setMaxBackgroundJobs(BACKGROUND_JOBS)
              .setSstFileManager(files);
      LRUCache cache = track(resources, new LRUCache(BLOCK_CACHE_BYTES));
      ColumnFamilyOptions updatesOptions =
          track(resources, new ColumnFamilyOptions())
              .setWriteBufferSize(options.memtableBytes())
              .setCompressionType(CompressionType.LZ4_COMPRESSION)
              .setLevelCompactionDynamicLevelBytes(true)
              .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
      ColumnFamilyOptions idsOptions =
          track(resources, new ColumnFamilyOptions())
              .setWriteBufferSize(options.memtableBytes())
              .setCompressionType(CompressionType.LZ4_COMPRESSION)
              .setLevelCompactionDynamicLevelBytes(true)
              .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
      ColumnFamilyOptions defaultOptions = track(resources, new ColumnFamilyOptions());
      List<ColumnFamilyDescriptor> families =
          List.of(
              new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultOptions),
              new ColumnFamilyDescriptor(UPDATES, updatesOptions),
              new ColumnFamilyDescriptor(IDS, idsOptions));
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      RocksDB rocks = RocksDB.open(db, dir.toString(), families, handles);
      WriteOptions appendWrite =
          track(resources, new WriteOptions())
              .setSync(options.fsync() == FsyncPolicy.ALWAYS);
      WriteOptions pruneWrite = track(resources, new WriteOptions()).setSync(false);
      return new RocksEngine(rocks, handles, appendWrite, pruneWrite, resources, files);
    } catch (RocksDBException e) {
      closeAll(resources);
      throw openFailure(dir, e);
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
  }

  /** Changes the cap on table files at runtime; {@code 0} removes it. */
  void maxDiskBytes(long bytes) {
    files.setMaxAllowedSpaceUsage(bytes);
  }

  /** Whether the cap on table files, if any, leaves no room. */
  boolean atDiskCap() {
    return files.isMaxAllowedSpaceReached();
  }

  /** Syncs the write-ahead log (so an OS-policy store is durable after a clean stop), closes. */
  @Override
  public void close() {
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      // Nothing more to do on the way out: every acknowledged batch is in the log already.
    }
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    closeAll(resources);
  }

  /** A one-line description of an engine failure, naming the store's directory. */
  static HistoryException failure(String what, Path dir, RocksDBException e) {
    return new HistoryException(what + " in " + dir + ": " + describe(e), e);
  }

  static String describe(RocksDBException e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      Status s = e.getStatus();
      m = s == null ? e.getClass().getSimpleName() : s.getCodeString();
    }
    return m.replaceAll("\\s+", " ").trim();
  }

  private static HistoryException openFailure(Path dir, RocksDBException e) {
    String m = describe(e);
    Status s = e.getStatus();
    if (m.contains("lock file") || m.contains("LOCK")) {
      return new HistoryException(
          "history directory " + dir + " is already open (another Herald is using it): " + m,
          e);
    }
    if (s != null && s.getCode() == Status.Code.Corruption) {
      return new HistoryException("history store in " + dir + " is corrupted: " + m, e);
    }
    return new HistoryException("cannot open history store in " + dir + ": " + m, e);
  }

  private static <T extends AbstractNativeReference> T track(
      List<AbstractNativeReference> resources, T resource) {
    resources.add(resource);
    return resource;
  }

  private static void closeAll(List<AbstractNativeReference> resources) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }
}
