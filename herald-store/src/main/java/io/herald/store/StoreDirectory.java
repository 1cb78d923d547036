package io.herald.store;

import io.herald.core.history.HistoryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Decides whether a directory may hold a Herald history, by way of a marker file written when the
 * store is created and checked on every open.
 *
 * <p>Why: RocksDB would happily create its files inside any directory it is pointed at, or open
 * another application's RocksDB. A mistyped {@code --data-dir} must fail at startup, naming the
 * path, rather than scatter files into (or serve replays from) somebody else's data.
 */
final class StoreDirectory {
  static final String MARKER = "herald-history.properties";
  static final String FORMAT = "herald-history";
  static final int FORMAT_VERSION = 1;
  /** RocksDB's pointer to its current manifest: present in every created database. */
  private static final String ENGINE_CURRENT = "CURRENT";
  private static final int MAX_MARKER_BYTES = 4096;

  private StoreDirectory() {}

  /**
   * Makes {@code dir} ready for the engine.
   *
   * @return {@code true} when the store is new (the engine must create its files), {@code false}
   *     when an existing Herald store is there
   * @throws HistoryException naming the path, when the directory is not a Herald history
   */
  static boolean prepare(Path dir) throws HistoryException {
    try {
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new HistoryException("history path " + dir + " exists and is not a directory");
      }
      Files.createDirectories(dir);
      Path marker = dir.resolve(MARKER);
      if (!Files.exists(marker)) {
        if (!isEmpty(dir)) {
          throw new HistoryException(
              "history directory "
                  + dir
                  + " is not empty and holds no "
                  + MARKER
                  + ": it is not a Herald history; point --data-dir at a new or empty directory");
        }
        writeMarker(dir, marker);
        return true;
      }
      checkMarker(marker);
      boolean engineFiles = Files.exists(dir.resolve(ENGINE_CURRENT));
      if (!engineFiles) {
        if (onlyMarker(dir)) {
          return true; // a previous start stopped between writing the marker and the engine files
        }
        throw new HistoryException(
            "history directory " + dir + " is damaged: " + ENGINE_CURRENT + " is missing");
      }
      return false;
    } catch (IOException e) {
      throw new HistoryException("cannot use history directory " + dir + ": " + e, e);
    }
  }

  private static void checkMarker(Path marker) throws HistoryException, IOException {
    Properties p = new Properties();
    if (Files.size(marker) > MAX_MARKER_BYTES) {
      throw new HistoryException(marker + " is not a Herald history marker (too large)");
    }
    try (InputStream in = Files.newInputStream(marker);
        Reader r = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IllegalArgumentException e) {
      throw new HistoryException(marker + " is not a Herald history marker: " + e.getMessage());
    }
    if (!FORMAT.equals(p.getProperty("format"))) {
      throw new HistoryException(
          marker + " is not a Herald history marker (format=" + p.getProperty("format") + ")");
    }
    String version = p.getProperty("version", "");
    int v;
    try {
      v = Integer.parseInt(version.trim());
    } catch (NumberFormatException e) {
      throw new HistoryException(marker + " has an unreadable version: " + version);
    }
    if (v != FORMAT_VERSION) {
      throw new HistoryException(
          marker
              + " says format version "
              + v
              + "; this Herald reads version "
              + FORMAT_VERSION
              + (v > FORMAT_VERSION ? " (written by a newer Herald)" : ""));
    }
  }

  /** Writes the marker atomically (temp file, fsync, rename, fsync of the directory). */
  private static void writeMarker(Path dir, Path marker) throws IOException {
    String text =
        "# Herald durable history. Do not edit; to start over, delete this whole directory.\n"
            + "format="
            + FORMAT
            + "\nversion="
            + FORMAT_VERSION
            + "\nengine=rocksdb\n";
    Path tmp = dir.resolve(MARKER + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some platforms cannot fsync a directory; the marker is still written, only less durably.
    }
  }

  /** Empty but for a marker temp file that a start interrupted mid-creation may have left. */
  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.allMatch(p -> p.getFileName().toString().equals(MARKER + ".tmp"));
    }
  }

  private static boolean onlyMarker(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.allMatch(p -> p.getFileName().toString().equals(MARKER));
    }
  }
}
