package io.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.update.Update;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

  @Test
  void roundTripsEveryField() {
    Update u =
        new Update(
            "urn:uuid:ü-1",
            List.of("https://example.com/a", "https://example.com/{id}"),
            "line1\nline2 é 😀",
            "custom",
            2500,
            true,
            42);
    byte[] v = RecordCodec.encode(u, 1234, 5678, 91);
    assertThat(RecordCodec.decode(42, v)).isEqualTo(u);
    assertThat(RecordCodec.header(42, v)).isEqualTo(new RecordCodec.Header(1234, 5678, 91));
    assertThat(RecordCodec.idBytes(42, v)).isEqualTo(RecordCodec.utf8("urn:uuid:ü-1"));
  }

  @Test
  void roundTripsAbsentDataAndType() {
    Update u = new Update("x", List.of("t"), null, null, -1, false, 7);
    assertThat(RecordCodec.decode(7, RecordCodec.encode(u, 0, 0, 0))).isEqualTo(u);
  }

  @Test
  void keepsEmptyDataDistinctFromNone() {
    Update u = new Update("x", List.of("t"), "", "", -1, false, 7);
    assertThat(RecordCodec.decode(7, RecordCodec.encode(u, 0, 0, 0))).isEqualTo(u);
  }

  @Test
  void refusesTruncatedRecords() {
    byte[] v = RecordCodec.encode(TestUpdates.update("abc", 1), 0, 0, 0);
    for (int len = 0; len < v.length; len++) {
      byte[] cut = Arrays.copyOf(v, len);
      assertThatThrownBy(() -> RecordCodec.decode(1, cut))
          .isInstanceOf(RecordCodec.CorruptRecordException.class)
          .hasMessageContaining("record 1");
    }
  }

  @Test
  void readsVersion1RecordsWhoseCountIsTheirSequence() {
    Update u = new Update("v1", List.of("t"), "d", null, -1, false, 42);
    byte[] v2 = RecordCodec.encode(u, 1234, 5678, 0);
    // Version 1 is version 2 without the countBefore long after bytesBefore.
    byte[] v1 = new byte[v2.length - 8];
    System.arraycopy(v2, 0, v1, 0, 17);
    System.arraycopy(v2, 25, v1, 17, v2.length - 25);
    v1[0] = 1;
    assertThat(RecordCodec.decode(42, v1)).isEqualTo(u);
    assertThat(RecordCodec.header(42, v1)).isEqualTo(new RecordCodec.Header(1234, 5678, 41));
    assertThat(RecordCodec.idBytes(42, v1)).isEqualTo(RecordCodec.utf8("v1"));
  }

  @Test
  void refusesUnknownVersion() {
    byte[] v = RecordCodec.encode(TestUpdates.update("abc", 1), 0, 0, 0);
    v[0] = 9;
    assertThatThrownBy(() -> RecordCodec.decode(1, v))
        .isInstanceOf(RecordCodec.CorruptRecordException.class)
        .hasMessageContaining("format version 9");
  }

  @Test
  void sequenceKeysSortInSequenceOrder() {
    long[] seqs = {1, 255, 256, 65_535, 1L << 40, Long.MAX_VALUE};
    for (int i = 1; i < seqs.length; i++) {
      assertThat(Arrays.compareUnsigned(Keys.of(seqs[i - 1]), Keys.of(seqs[i]))).isNegative();
      assertThat(Keys.sequence(Keys.of(seqs[i]))).isEqualTo(seqs[i]);
    }
  }
}
