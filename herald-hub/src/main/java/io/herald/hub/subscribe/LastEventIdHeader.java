package io.herald.hub.subscribe;

import io.netty.util.AsciiString;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The {@code Last-Event-ID} header's value as UTF-8, both ways.
 *
 * <p>Event IDs are text and may be anything but line breaks and NUL, so a non-ASCII ID is normal.
 * Browsers send the header as the ID's UTF-8 bytes (the EventSource spec's encoding of the last
 * event ID). Netty, on HTTP/1.1 and HTTP/2 alike, turns each header byte into one char
 * (ISO-8859-1); read as is, {@code ü} arrives as {@code Ã¼}, matches no ID, and the subscriber
 * gets a full replay instead of a resume. Answering, Netty writes each char as one byte, so an ID
 * must be handed over as its UTF-8 bytes or it reaches the client mangled.
 */
final class LastEventIdHeader {
  private LastEventIdHeader() {}

  /**
   * The ID a request's header value carries: its bytes decoded as UTF-8. A value that is not
   * valid UTF-8 (a client sending ISO-8859-1) is kept as Netty read it.
   */
  static String decode(String raw) {
    boolean ascii = true;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c > 0xFF) {
        return raw; // not bytes read as ISO-8859-1: already text
      }
      if (c > 0x7F) {
        ascii = false;
      }
    }
    if (ascii) {
      return raw;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1)))
          .toString();
    } catch (CharacterCodingException notUtf8) {
      return raw;
    }
  }

  /** The header value that puts {@code id}'s UTF-8 bytes on the wire. */
  static CharSequence encode(String id) {
    return new AsciiString(id.getBytes(StandardCharsets.UTF_8), false);
  }
}
