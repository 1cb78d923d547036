package io.herald.hub.limits;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The keys requests are limited by: who the client is (its address) and who its token says it is
 * (the {@code sub} claim).
 *
 * <p>Security rules for these keys:
 * <ul>
 *   <li>The address is the TCP peer's, never a header: {@code X-Forwarded-For} and the like are
 *       written by the client and would let it be anyone. On HTTP/2 a stream's peer is its
 *       connection's.
 *   <li>IPv6 addresses count by their /64 prefix: one host or subscriber line usually holds a whole
 *       /64, and could otherwise take a fresh address (a fresh budget) per request.
 *   <li>Keys are at most {@link #MAX_KEY_CHARS} characters, so the limiters' memory is bounded by
 *       their count of keys: a longer subject is replaced by its SHA-256. Subject keys and hashed
 *       keys carry different prefixes, so no subject can be chosen to share another's budget.
 * </ul>
 */
public final class LimitKeys {
  /** Longest key kept as is; a longer subject is keyed by its hash. */
  static final int MAX_KEY_CHARS = 64;

  private LimitKeys() {}

  /**
   * The client address of a request on {@code channel}: the TCP peer, of the parent connection for
   * an HTTP/2 stream; {@code null} if it is not an IP peer (then nothing is limited by address).
   */
  public static InetAddress clientAddress(Channel channel) {
    Channel connection = channel instanceof Http2StreamChannel ? channel.parent() : channel;
    SocketAddress peer = connection == null ? null : connection.remoteAddress();
    return peer instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }

  /** The key of {@code address}, or {@code null} for none. */
  static String address(InetAddress address) {
    if (address == null) {
      return null;
    }
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      StringBuilder key = new StringBuilder(24);
      for (int i = 0; i < 8; i += 2) {
        key.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
      }
      return key.append(":/64").toString();
    }
    return address.getHostAddress();
  }

  /** The key of a token's {@code subject}, or {@code null} when it names nobody. */
  static String subject(String subject) {
    if (subject == null || subject.isEmpty()) {
      return null;
    }
    if (subject.length() < MAX_KEY_CHARS) {
      return "=" + subject;
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8));
      return "#" + Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
