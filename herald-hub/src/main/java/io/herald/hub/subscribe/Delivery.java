package io.herald.hub.subscribe;

import io.herald.core.update.Update;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * An update and its SSE bytes, encoded once. Every subscriber gets a retained duplicate of the
 * same memory: the bytes exist once however many subscribers receive them.
 *
 * <p>The buffer is laid out as an HTTP/1.1 chunk ({@code <hex length>\r\n<event>\r\n}), so that
 * HTTP/1.1 streams can be written without the HTTP encoder framing (and allocating) a chunk per
 * subscriber; {@link #event()} is a slice of the same memory without the framing, for HTTP/2
 * streams, HTTP/1.0 streams and anything that goes through the encoder. Both share one reference
 * count: retaining or releasing either counts for the whole.
 */
final class Delivery {
  private final Update update;
  private final ByteBuf chunk;
  private final ByteBuf event;

  private Delivery(Update update, ByteBuf chunk, ByteBuf event) {
    this.update = update;
    this.chunk = chunk;
    this.event = event;
  }

  /** Encodes {@code eventBytes} once into a pooled direct buffer (reference count 1). */
  static Delivery of(Update update, byte[] eventBytes) {
    byte[] head = (Integer.toHexString(eventBytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuf chunk = PooledByteBufAllocator.DEFAULT.directBuffer(head.length + eventBytes.length + 2);
    chunk.writeBytes(head).writeBytes(eventBytes).writeByte('\r').writeByte('\n');
    return new Delivery(update, chunk, chunk.slice(head.length, eventBytes.length));
  }

  Update update() {
    return update;
  }

  /** The event framed as one HTTP/1.1 chunk. */
  ByteBuf chunk() {
    return chunk;
  }

  /** The event's SSE bytes alone (a slice of {@link #chunk()}). */
  ByteBuf event() {
    return event;
  }

  void retain() {
    chunk.retain();
  }

  void release() {
    chunk.release();
  }
}
