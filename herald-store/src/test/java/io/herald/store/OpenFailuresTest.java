package io.herald.store;

import static io.herald.store.TestUpdates.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.history.HistoryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenFailuresTest {
  @TempDir Path dir;

  private Path data() {
    return dir.resolve("data");
  }

  private void createStore() throws HistoryException {
    try (DurableHistory h = DurableHistory.open(data(), StoreOptions.defaults())) {
      h.append(batch(1, 100));
    }
  }

  @Test
  void createsTheDirectoryWithAMarker() throws Exception {
    createStore();
    assertThat(data().resolve(StoreDirectory.MARKER)).exists();
    assertThat(Files.readString(data().resolve(StoreDirectory.MARKER)))
        .contains("format=herald-history")
        .contains("version=1");
  }

  @Test
  void acceptsAnExistingEmptyDirectory() throws Exception {
    Files.createDirectories(data());
    createStore();
    try (DurableHistory h = DurableHistory.open(data(), StoreOptions.defaults())) {
      assertThat(h.lastSequence()).isEqualTo(100);
    }
  }

  @Test
  void recoversFromAStartThatStoppedWhileCreating() throws Exception {
    // Killed after the marker's temp file, or after the marker but before the engine's files.
    Files.createDirectories(data());
    Files.writeString(data().resolve(StoreDirectory.MARKER + ".tmp"), "format=herald-hi");
    createStore();
    try (Stream<Path> files = Files.list(data())) {
      for (Path p : files.toList()) {
        if (!p.getFileName().toString().equals(StoreDirectory.MARKER)) {
          Files.delete(p);
        }
      }
    }
    try (DurableHistory h = DurableHistory.open(data(), StoreOptions.defaults())) {
      assertThat(h.lastSequence()).isZero();
    }
  }

  @Test
  void refusesAForeignNonEmptyDirectory() throws Exception {
    Files.createDirectories(data());
    Files.writeString(data().resolve("thesis.tex"), "\\documentclass{article}");
    assertThatThrownBy(() -> DurableHistory.open(data(), StoreOptions.defaults()))
        .isInstanceOf(HistoryException.class)
        .hasMessageContaining(data().toString())
        .hasMessageContaining("not a Herald history");
    // And leaves it as it was.
    try (Stream<Path> files = Files.list(data())) {
      assertThat(files).containsExactly(data().resolve("thesis.tex"));
    }
  }

  @Test
  void refusesAPathThatIsAFile() throws Exception {
    Files.writeString(data(), "x");
    assertThatThrownBy(() -> DurableHistory.open(data(), StoreOptions.defaults()))
        .isInstanceOf(HistoryException.class)
        .hasMessageContaining(data().toString())
        .hasMessageContaining("not a directory");
  }

  @Test
  void refusesAMarkerOfAnotherFormat() throws Exception {
    createStore();
    Files.writeString(data().resolve(StoreDirectory.MARKER), "format=something-else\nversion=1\n");
    assertThatThrownBy(() -> DurableHistory.open(data(), StoreOptions.defaults()))
        .isInstanceOf(HistoryException.class)
        .hasMessageContaining(data().resolve(StoreDirectory.MARKER).toString())
        .hasMessageContaining("not a Herald history marker");
  }

  @Test
  void refusesANewerFormatVersion() throws Exception {
    createStore();
    Files.writeString(data().resolve(StoreDirectory.MARKER), "format=herald-history\nversion=2\n");
    assertThatThrownBy(() -> DurableHistory.open(data(), StoreOptions.defaults()))
        .isInstanceOf(HistoryException.class)
        .hasMessageContaining(data().toString())
        .hasMessageContaining("newer Herald");
  }

  @Test
  void refusesADirectoryWhoseEngineFilesAreGone() throws Exception {
    createStore();
    Files.delete(data().resolve("CURRENT"));
    assertThatThrownBy(() -> DurableHistory.open(data(), StoreOptions.defaults()))
        .isInstanceOf(HistoryException.class)
        .hasMessageContaining(data().toString())
        .hasMessageContaining("damaged");
  }

  @Test
  void reportsACorruptedEngineWithThePath() throws Exception {
    createStore();
    try (Stream<Path> files = Files.list(data())) {
      for (Path p : files.filter(p -> p.getFileName().toString().startsWith("MANIFEST-")).toList()) {
        Files.write(p, "this is not a manifest".repeat(100).getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThatThrownBy(() -> DurableHistory.open(data(), StoreOptions.defaults()))
        .isInstanceOf(HistoryException.class)
        .hasMessageContaining(data().toString())
        .hasMessageNotContaining("\n");
  }

  @Test
  void reportsCorruptedRecordsWithThePath() throws Exception {
    createStore();
    // A record written by "someone else" through the engine itself: the codec must refuse it.
    try (RocksEngine engine =
        RocksEngine.open(data().toAbsolutePath(), StoreOptions.defaults(), false)) {
      engine.db.put(engine.updates, Keys.of(101), new byte[] {9, 9, 9});
    }
    assertThatThrownBy(() -> DurableHistory.open(data(), StoreOptions.defaults()))
        .isInstanceOf(HistoryException.class)
        .hasMessageContaining(data().toAbsolutePath().toString())
        .hasMessageContaining("corrupt");
  }

  @Test
  void refusesASecondOpenOfTheSameDirectory() throws Exception {
    try (DurableHistory h = DurableHistory.open(data(), StoreOptions.defaults())) {
      h.append(batch(1, 1));
      assertThatThrownBy(() -> DurableHistory.open(data(), StoreOptions.defaults()))
          .isInstanceOf(HistoryException.class)
          .hasMessageContaining(data().toString())
          .hasMessageContaining("already open");
      assertThat(h.read(0, 1, 1)).isEqualTo(List.of(TestUpdates.update("id-1", 1)));
    }
  }
}
