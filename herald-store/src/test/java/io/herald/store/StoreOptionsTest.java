package io.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoreOptionsTest {

  @Test
  void defaultsAreBoundedAndDurable() {
    StoreOptions o = StoreOptions.defaults();
    assertThat(o.fsync()).isEqualTo(FsyncPolicy.ALWAYS);
    assertThat(o.maxCount()).isEqualTo(1_000_000);
    assertThat(o.maxAge()).isEqualTo(Duration.ofDays(1));
    assertThat(o.maxBytes()).isEqualTo(1L << 30);
    assertThat(o.maxDiskBytes()).isZero();
  }

  @Test
  void withersChangeOneField() {
    StoreOptions o =
        StoreOptions.defaults()
            .withFsync(FsyncPolicy.OS)
            .withMaxCount(5)
            .withMaxAge(Duration.ofMinutes(3))
            .withMaxBytes(1000);
    assertThat(o.fsync()).isEqualTo(FsyncPolicy.OS);
    assertThat(o.maxCount()).isEqualTo(5);
    assertThat(o.maxAge()).isEqualTo(Duration.ofMinutes(3));
    assertThat(o.maxBytes()).isEqualTo(1000);
    assertThat(o.memtableBytes()).isEqualTo(StoreOptions.defaults().memtableBytes());
  }

  @Test
  void refusesUnboundedOrNonsensicalLimits() {
    StoreOptions d = StoreOptions.defaults();
    assertThatThrownBy(() -> d.withMaxCount(0)).hasMessageContaining("history size");
    assertThatThrownBy(() -> d.withMaxAge(Duration.ZERO)).hasMessageContaining("max age");
    assertThatThrownBy(() -> d.withMaxAge(Duration.ofSeconds(-1)))
        .hasMessageContaining("max age");
    assertThatThrownBy(() -> d.withMaxBytes(0)).hasMessageContaining("max bytes");
    assertThatThrownBy(() -> d.withMaxDiskBytes(-1)).hasMessageContaining("disk bytes");
    assertThatThrownBy(() -> d.withMemtableBytes(10)).hasMessageContaining("memtable");
    assertThatThrownBy(() -> d.withSweepInterval(Duration.ZERO)).hasMessageContaining("sweep");
  }
}
