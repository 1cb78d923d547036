package io.herald.redis;

import io.herald.core.update.Update;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of one update in a stream entry's {@code u} field (everything but its ID, which has
 * a field of its own for the index, and its sequence, which is the entry ID).
 *
 * <p>Layout, big-endian: version byte {@code 1}, flags byte (bit 0: private), retry (8 bytes,
 * {@code -1} for none), type and data as length-prefixed UTF-8 ({@code -1} for null), topic count
 * (4 bytes) then each topic length-prefixed. Binary and length-prefixed, so topics and data may
 * hold any character, line breaks included.
 */
final class UpdateCodec {
  private static final byte VERSION = 1;

  private UpdateCodec() {}

  static byte[] encode(Update u) {
    byte[] type = bytes(u.type());
    byte[] data = bytes(u.data());
    List<byte[]> topics = new ArrayList<>(u.topics().size());
    int size = 1 + 1 + 8 + 4 + len(type) + 4 + len(data) + 4;
    for (String t : u.topics()) {
      byte[] b = t.getBytes(StandardCharsets.UTF_8);
      topics.add(b);
      size += 4 + b.length;
    }
    ByteBuffer buf = ByteBuffer.allocate(size);
    buf.put(VERSION);
    buf.put((byte) (u.isPrivate() ? 1 : 0));
    buf.putLong(u.retry());
    put(buf, type);
    put(buf, data);
    buf.putInt(topics.size());
    for (byte[] t : topics) {
      put(buf, t);
    }
    return buf.array();
  }

  static Update decode(String id, byte[] payload, long sequence) {
    ByteBuffer buf = ByteBuffer.wrap(payload);
    byte version = buf.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown update encoding version " + version);
    }
    boolean isPrivate = (buf.get() & 1) != 0;
    long retry = buf.getLong();
    String type = string(buf);
    String data = string(buf);
    int n = buf.getInt();
    if (n < 1 || n > buf.remaining() / 4) {
      throw new IllegalArgumentException("corrupt update: " + n + " topics");
    }
    List<String> topics = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      topics.add(string(buf));
    }
    return new Update(id, topics, data, type, retry, isPrivate, sequence);
  }

  private static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  private static int len(byte[] b) {
    return b == null ? 0 : b.length;
  }

  private static void put(ByteBuffer buf, byte[] b) {
    if (b == null) {
      buf.putInt(-1);
    } else {
      buf.putInt(b.length);
      buf.put(b);
    }
  }

  private static String string(ByteBuffer buf) {
    int n = buf.getInt();
    if (n < 0) {
      return null;
    }
    if (n > buf.remaining()) {
      throw new IllegalArgumentException("corrupt update: length " + n + " past the end");
    }
    String s = new String(buf.array(), buf.position(), n, StandardCharsets.UTF_8);
    buf.position(buf.position() + n);
    return s;
  }
}
