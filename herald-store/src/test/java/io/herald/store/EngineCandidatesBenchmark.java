package io.herald.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The engine comparison behind docs/decisions/0002-history-store.md: batched appends of
 * ~160-byte records plus an ID index entry, one commit per batch, with and without fsync. Not a
 * test; run by hand. Only the chosen engine (RocksDB) is left here; the H2 MVStore candidate
 * (MVStore.commit() then sync() per batch) was measured by the same loop in commit 58b073b.
 *
 * <pre>java -cp ... io.herald.store.EngineCandidatesBenchmark [seconds-per-case]</pre>
 */
public final class EngineCandidatesBenchmark {
  private static final byte[] PAYLOAD = new byte[160];

  private EngineCandidatesBenchmark() {}

  interface Engine extends AutoCloseable {
    void appendBatch(long firstSeq, int n) throws Exception;

    @Override
    void close();
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    Arrays.fill(PAYLOAD, (byte) 'x');
    RocksDB.loadLibrary();
    System.out.println("engine     sync  batch  updates/s  p99-batch-ms");
    for (boolean sync : new boolean[] {true, false}) {
      for (int batch : new int[] {1, 16, 256}) {
        run("rocksdb", sync, batch, seconds);
      }
    }
  }

  private static void run(String name, boolean sync, int batch, double seconds) throws Exception {
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "target")), name);
    try (Engine e = new Rocks(dir, sync)) {
      long seq = 1;
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      long start = System.nanoTime();
      long[] lat = new long[1 << 20];
      int batches = 0;
      while (System.nanoTime() < deadline && batches < lat.length) {
        long t0 = System.nanoTime();
        e.appendBatch(seq, batch);
        lat[batches++] = System.nanoTime() - t0;
        seq += batch;
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      long[] l = Arrays.copyOf(lat, batches);
      Arrays.sort(l);
      System.out.printf(
          "%-9s  %-5s %5d  %9.0f  %8.2f%n",
          name, sync, batch, (seq - 1) / elapsed, l[(int) (batches * 0.99)] / 1e6);
    }
  }

  static byte[] key(long seq) {
    byte[] k = new byte[8];
    for (int i = 7; i >= 0; i--) {
      k[i] = (byte) seq;
      seq >>>= 8;
    }
    return k;
  }

  static final class Rocks implements Engine {
    final RocksDB db;
    final ColumnFamilyHandle updates;
    final ColumnFamilyHandle ids;
    final WriteOptions wo;

    Rocks(Path dir, boolean sync) throws Exception {
      var handles = new java.util.ArrayList<ColumnFamilyHandle>();
      db =
          RocksDB.open(
              new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true),
              dir.toString(),
              java.util.List.of(
                  new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                  new ColumnFamilyDescriptor("ids".getBytes(), new ColumnFamilyOptions())),
              handles);
      updates = handles.get(0);
      ids = handles.get(1);
      wo = new WriteOptions().setSync(sync);
    }

    @Override
    public void appendBatch(long firstSeq, int n) throws Exception {
      try (WriteBatch b = new WriteBatch()) {
        for (int i = 0; i < n; i++) {
          byte[] k = key(firstSeq + i);
          b.put(updates, k, PAYLOAD);
          b.put(ids, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8), k);
        }
        db.write(wo, b);
      }
    }

    @Override
    public void close() {
      updates.close();
      ids.close();
      db.close();
    }
  }
}
