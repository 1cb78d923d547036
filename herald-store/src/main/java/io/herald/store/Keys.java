package io.herald.store;

import java.util.Arrays;

/**
 * The engine's keys.
 *
 * <p>Update keys are the sequence, 8 bytes big-endian, so byte order is sequence order (sequences
 * are positive, so signed and unsigned order agree).
 *
 * <p>ID index keys are {@code varint(length) ++ UTF-8 id ++ sequence}, with an empty value. The
 * length prefix makes the IDs prefix-free, so all entries of one ID are adjacent and sorted by
 * sequence; an ID published twice has two entries and the newest is the last. Because every entry
 * is unique to its (ID, sequence), pruning deletes exactly the entries of the pruned sequences
 * without reading the index first, and never races a newer duplicate being appended.
 */
final class Keys {
  private static final int SEQUENCE_BYTES = 8;

  private Keys() {}

  static byte[] of(long sequence) {
    byte[] k = new byte[SEQUENCE_BYTES];
    putSequence(k, 0, sequence);
    return k;
  }

  static long sequence(byte[] key) {
    if (key.length != SEQUENCE_BYTES) {
      throw new RecordCodec.CorruptRecordException("sequence key of " + key.length + " bytes");
    }
    return getSequence(key, 0);
  }

  /** The part of an index key shared by every entry of {@code id}. */
  static byte[] idPrefix(byte[] id) {
    int n = varintSize(id.length);
    byte[] p = new byte[n + id.length];
    int pos = 0;
    int v = id.length;
    while ((v & ~0x7F) != 0) {
      p[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    p[pos++] = (byte) v;
    System.arraycopy(id, 0, p, pos, id.length);
    return p;
  }

  static byte[] idEntry(byte[] prefix, long sequence) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + SEQUENCE_BYTES);
    putSequence(k, prefix.length, sequence);
    return k;
  }

  /** The sequence of an index entry when it belongs to {@code prefix}'s ID, else {@code -1}. */
  static long entrySequence(byte[] prefix, byte[] entry) {
    if (entry.length != prefix.length + SEQUENCE_BYTES
        || !Arrays.equals(entry, 0, prefix.length, prefix, 0, prefix.length)) {
      return -1;
    }
    return getSequence(entry, prefix.length);
  }

  private static void putSequence(byte[] k, int at, long sequence) {
    for (int i = at + SEQUENCE_BYTES - 1; i >= at; i--) {
      k[i] = (byte) sequence;
      sequence >>>= 8;
    }
  }

  private static long getSequence(byte[] k, int at) {
    long v = 0;
    for (int i = at; i < at + SEQUENCE_BYTES; i++) {
      v = (v << 8) | (k[i] & 0xFF);
    }
    return v;
  }

  private static int varintSize(int v) {
    int n = 1;
    while ((v & ~0x7F) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }
}
