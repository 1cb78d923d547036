package io.herald.store;

/**
 * Sequence keys: 8 bytes big-endian, so the engine's byte order is sequence order (sequences are
 * positive, so signed and unsigned order agree).
 */
final class Keys {
  private Keys() {}

  static byte[] of(long sequence) {
    byte[] k = new byte[8];
    for (int i = 7; i >= 0; i--) {
      k[i] = (byte) sequence;
      sequence >>>= 8;
    }
    return k;
  }

  static long sequence(byte[] key) {
    if (key.length != 8) {
      throw new RecordCodec.CorruptRecordException("sequence key of " + key.length + " bytes");
    }
    long v = 0;
    for (byte b : key) {
      v = (v << 8) | (b & 0xFF);
    }
    return v;
  }
}
