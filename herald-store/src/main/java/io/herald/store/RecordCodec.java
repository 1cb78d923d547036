package io.herald.store;

import io.herald.core.update.Update;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The binary encoding of one stored update (the engine is RocksDB; this is only the value of one
 * key). Versioned so that a later Herald can read what an earlier one wrote.
 *
 * <p>Layout, version 2 (the sequence is the key, not repeated here):
 *
 * <pre>
 * byte    version (2)
 * long    appendedAt, epoch milliseconds       \
 * long    bytesBefore, see {@link #accountedSize}  | fixed offsets, so retention reads them
 * long    countBefore, records appended before /  without decoding the rest
 * string  id
 * varint  topic count, then each topic as a string
 * byte    flags: 1 = has data, 2 = has type, 4 = private
 * string  data (if flagged), string type (if flagged)
 * long    retry (-1 for none)
 * </pre>
 *
 * Strings are a varint byte length then UTF-8; longs are big-endian. {@code bytesBefore} is the
 * running total of {@link #accountedSize} of every update appended before this one, so the bytes
 * held between any two sequences are one subtraction away; {@code countBefore} likewise gives the
 * number of records between two sequences, which the sequences alone no longer do: the history's
 * sequences have gaps where the transport's other updates (the hub's own events, kept apart) are.
 *
 * <p>Version 1 lacked {@code countBefore}; its records are still read, as {@code countBefore =
 * sequence - 1}, which is exact since version 1 stores had no gaps and started at sequence 1.
 */
final class RecordCodec {
  static final byte VERSION = 2;
  /** The previous version, still read. */
  static final byte VERSION_1 = 1;
  static final int HEADER_BYTES = 1 + 8 + 8 + 8;
  private static final int HEADER_BYTES_V1 = 1 + 8 + 8;

  private static final int FLAG_DATA = 1;
  private static final int FLAG_TYPE = 2;
  private static final int FLAG_PRIVATE = 4;
  /** Bytes a key of the sequence index takes, counted into retention by size. */
  private static final int SEQUENCE_KEY_BYTES = 8;
  /** A corrupt length must not make us allocate gigabytes. */
  private static final int MAX_TOPICS = 1 << 16;

  private RecordCodec() {}

  /** A record's fixed header, enough for retention decisions. */
  record Header(long appendedAt, long bytesBefore, long countBefore) {}

  static byte[] encode(Update u, long appendedAt, long bytesBefore, long countBefore) {
    byte[] id = utf8(u.id());
    byte[][] topics = new byte[u.topics().size()][];
    int size = HEADER_BYTES + stringSize(id) + varintSize(topics.length) + 1 + 8;
    for (int i = 0; i < topics.length; i++) {
      topics[i] = utf8(u.topics().get(i));
      size += stringSize(topics[i]);
    }
    byte[] data = u.data() == null ? null : utf8(u.data());
    byte[] type = u.type() == null ? null : utf8(u.type());
    if (data != null) {
      size += stringSize(data);
    }
    if (type != null) {
      size += stringSize(type);
    }
    Writer w = new Writer(size);
    w.b(VERSION);
    w.l(appendedAt);
    w.l(bytesBefore);
    w.l(countBefore);
    w.s(id);
    w.varint(topics.length);
    for (byte[] t : topics) {
      w.s(t);
    }
    w.b((byte) ((data != null ? FLAG_DATA : 0)
        | (type != null ? FLAG_TYPE : 0)
        | (u.isPrivate() ? FLAG_PRIVATE : 0)));
    if (data != null) {
      w.s(data);
    }
    if (type != null) {
      w.s(type);
    }
    w.l(u.retry());
    return w.done();
  }

  /**
   * What one stored update counts for retention by size: its key and value in the update
   * column, plus its entry in the ID index (length byte, UTF-8 ID, sequence; see {@link Keys}).
   */
  static long accountedSize(byte[] value, int idBytes) {
    return SEQUENCE_KEY_BYTES + value.length + 1 + idBytes + SEQUENCE_KEY_BYTES;
  }

  static Header header(long sequence, byte[] value) {
    Reader r = new Reader(sequence, value);
    int version = r.version();
    return new Header(r.l(), r.l(), version == VERSION_1 ? sequence - 1 : r.l());
  }

  /** The UTF-8 ID of a stored record, without decoding the rest. */
  static byte[] idBytes(long sequence, byte[] value) {
    Reader r = new Reader(sequence, value);
    r.skipHeader();
    return r.bytes();
  }

  static Update decode(long sequence, byte[] value) {
    Reader r = new Reader(sequence, value);
    r.skipHeader();
    String id = r.s();
    int topicCount = r.varint();
    if (topicCount < 1 || topicCount > MAX_TOPICS) {
      throw r.corrupt("topic count " + topicCount);
    }
    List<String> topics = new ArrayList<>(topicCount);
    for (int i = 0; i < topicCount; i++) {
      topics.add(r.s());
    }
    int flags = r.b();
    String data = (flags & FLAG_DATA) != 0 ? r.s() : null;
    String type = (flags & FLAG_TYPE) != 0 ? r.s() : null;
    long retry = r.l();
    if (r.pos != value.length) {
      throw r.corrupt("trailing bytes");
    }
    return new Update(id, topics, data, type, retry, (flags & FLAG_PRIVATE) != 0, sequence);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int stringSize(byte[] s) {
    return varintSize(s.length) + s.length;
  }

  private static int varintSize(int v) {
    int n = 1;
    while ((v & ~0x7F) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  /** Thrown when a stored value cannot be decoded; the store turns it into a HistoryException. */
  static final class CorruptRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CorruptRecordException(String message) {
      super(message);
    }
  }

  private static final class Writer {
    private final byte[] buf;
    private int pos;

    Writer(int size) {
      buf = new byte[size];
    }

    void b(byte v) {
      buf[pos++] = v;
    }

    void l(long v) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[pos++] = (byte) (v >>> shift);
      }
    }

    void varint(int v) {
      while ((v & ~0x7F) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    void s(byte[] s) {
      varint(s.length);
      System.arraycopy(s, 0, buf, pos, s.length);
      pos += s.length;
    }

    byte[] done() {
      if (pos != buf.length) {
        throw new IllegalStateException("encoded " + pos + " bytes, sized " + buf.length);
      }
      return buf;
    }
  }

  private static final class Reader {
    private final long sequence;
    private final byte[] buf;
    private int pos;

    Reader(long sequence, byte[] buf) {
      this.sequence = sequence;
      this.buf = buf;
    }

    /** Reads the version byte and checks the header is there; returns the version. */
    int version() {
      if (buf.length < HEADER_BYTES_V1) {
        throw corrupt("record of " + buf.length + " bytes is shorter than its header");
      }
      int v = buf[pos++];
      if (v != VERSION && v != VERSION_1) {
        throw new CorruptRecordException("record " + sequence + " has format version " + v
            + "; this Herald reads " + VERSION_1 + " and " + VERSION);
      }
      if (v == VERSION && buf.length < HEADER_BYTES) {
        throw corrupt("record of " + buf.length + " bytes is shorter than its header");
      }
      return v;
    }

    void skipHeader() {
      skip(version() == VERSION_1 ? HEADER_BYTES_V1 - 1 : HEADER_BYTES - 1);
    }

    int b() {
      need(1);
      return buf[pos++] & 0xFF;
    }

    void skip(int n) {
      need(n);
      pos += n;
    }

    long l() {
      need(8);
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (buf[pos++] & 0xFF);
      }
      return v;
    }

    int varint() {
      int v = 0;
      for (int shift = 0; shift < 32; shift += 7) {
        int b = b();
        v |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw corrupt("varint too long");
    }

    byte[] bytes() {
      int n = varint();
      if (n < 0) {
        throw corrupt("negative length");
      }
      need(n);
      byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return out;
    }

    String s() {
      int n = varint();
      if (n < 0) {
        throw corrupt("negative length");
      }
      need(n);
      String out = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return out;
    }

    private void need(int n) {
      if (n > buf.length - pos) {
        throw corrupt("truncated at byte " + pos);
      }
    }

    CorruptRecordException corrupt(String why) {
      return new CorruptRecordException("record " + sequence + " is corrupt: " + why);
    }
  }
}
