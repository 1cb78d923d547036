package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/2 abuse that costs the attacker a few bytes and could cost a server a lot: rapid reset
 * (CVE-2023-44487), control-frame floods that the client never reads the answers to, and endless
 * CONTINUATION frames (CVE-2024-27316 class). The hub answers each by ending that connection
 * (GOAWAY, then close); the hub itself stays up, and a bystander on another connection keeps
 * receiving. Frames are written by hand on a raw socket so that the test can do what no
 * well-behaved client would.
 */
@Timeout(120) // a safety net only: a blocked raw write would otherwise hang the build
class Http2AbuseTest {
  private static final int FRAME_DATA = 0x0;
  private static final int FRAME_HEADERS = 0x1;
  private static final int FRAME_RST_STREAM = 0x3;
  private static final int FRAME_SETTINGS = 0x4;
  private static final int FRAME_PING = 0x6;
  private static final int FRAME_GOAWAY = 0x7;
  private static final int FRAME_CONTINUATION = 0x9;
  private static final int FLAG_END_STREAM = 0x1;
  private static final int FLAG_END_HEADERS = 0x4;
  private static final int ERROR_CANCEL = 0x8;

  private static HubFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true));
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void rapidResetEndsTheConnectionAndTheHubKeepsServing() throws Exception {
    try (SseStream bystander = f.subscribe(f.subscribeUri("abuse")); Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      byte[] headers = subscribeHeaders();
      // Far more open-then-cancel pairs than any client needs; each costs the server a stream.
      boolean cut = flood(20_000, i -> {
        int stream = 1 + 2 * i;
        frame(out, FRAME_HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, stream, headers);
        frame(out, FRAME_RST_STREAM, 0, stream, new byte[] {0, 0, 0, ERROR_CANCEL});
      });
      assertThat(cut || endsWithGoAway(s)).as("the hub ended the resetting connection").isTrue();
      assertBystanderStillServed(bystander, "after rapid reset");
    }
  }

  @Test
  void aPingFloodThatNeverReadsItsAcksEndsTheConnection() throws Exception {
    try (SseStream bystander = f.subscribe(f.subscribeUri("abuse")); Socket s = connect()) {
      s.setReceiveBufferSize(4096);
      OutputStream out = s.getOutputStream();
      byte[] ping = new byte[8];
      // Every PING owes an ACK; with the ACKs unread they would queue on the hub without end.
      boolean cut = flood(2_000_000, i -> frame(out, FRAME_PING, 0, 0, ping));
      assertThat(cut || endsWithGoAway(s)).as("the hub ended the flooding connection").isTrue();
      assertBystanderStillServed(bystander, "after a ping flood");
    }
  }

  @Test
  void aSettingsFloodThatNeverReadsItsAcksEndsTheConnection() throws Exception {
    try (SseStream bystander = f.subscribe(f.subscribeUri("abuse")); Socket s = connect()) {
      s.setReceiveBufferSize(4096);
      OutputStream out = s.getOutputStream();
      // Every SETTINGS owes an ACK, likewise.
      boolean cut = flood(2_000_000, i -> frame(out, FRAME_SETTINGS, 0, 0, new byte[0]));
      assertThat(cut || endsWithGoAway(s)).as("the hub ended the flooding connection").isTrue();
      assertBystanderStillServed(bystander, "after a settings flood");
    }
  }

  @Test
  void endlessContinuationFramesEndTheConnectionBeforeTheHeadersGrowPastTheLimit() throws Exception {
    try (SseStream bystander = f.subscribe(f.subscribeUri("abuse")); Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      // A header block that never ends: HEADERS without END_HEADERS, then CONTINUATIONs of
      // literal header fields, 64 MiB in all if nobody stops it (the hub's limit is 24 KiB).
      frame(out, FRAME_HEADERS, FLAG_END_STREAM, 1, subscribeHeaders());
      byte[] filler = literalHeaders(16 * 1024);
      boolean cut = flood(4096, i -> frame(out, FRAME_CONTINUATION, 0, 1, filler));
      assertThat(cut || endsWithGoAway(s)).as("the hub ended the connection").isTrue();
      assertBystanderStillServed(bystander, "after a continuation flood");
    }
  }

  @Test
  void dataOnAStreamThatWasNeverOpenedEndsTheConnection() throws Exception {
    try (Socket s = connect()) {
      frame(s.getOutputStream(), FRAME_DATA, FLAG_END_STREAM, 99, "topic=x&data=y".getBytes());
      assertThat(endsWithGoAway(s)).isTrue();
    }
  }

  // ---- raw HTTP/2 ----

  /** Writes one unit of a flood (its index given); throws when the hub has closed the socket. */
  private interface FloodStep {
    void write(int i) throws IOException;
  }

  /** Writes up to {@code count} steps; returns whether the hub cut the connection meanwhile. */
  private static boolean flood(int count, FloodStep step) throws IOException {
    for (int i = 0; i < count; i++) {
      try {
        step.write(i);
      } catch (SocketException closedByTheHub) {
        return true;
      }
    }
    return false;
  }

  private static Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", f.port());
    s.setSoTimeout(10_000);
    OutputStream out = s.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    frame(out, FRAME_SETTINGS, 0, 0, new byte[0]);
    return s;
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] head = {
      (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
      (byte) type, (byte) flags,
      (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
    out.write(head);
    out.write(payload);
  }

  private static byte[] subscribeHeaders() throws Exception {
    Http2Headers h = new DefaultHttp2Headers()
        .method("GET").scheme("http").authority("127.0.0.1").path("/.well-known/mercure?topic=abuse");
    ByteBuf buf = Unpooled.buffer();
    try {
      new DefaultHttp2HeadersEncoder().encodeHeaders(1, h, buf);
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      return bytes;
    } finally {
      buf.release();
    }
  }

  /** HPACK literal header fields without indexing ("x-fill: aaaa..."), about {@code size} bytes. */
  private static byte[] literalHeaders(int size) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    byte[] name = "x-fill".getBytes();
    while (b.size() < size) {
      b.write(0x00);
      b.write(name.length);
      b.write(name, 0, name.length);
      b.write(100);
      for (int i = 0; i < 100; i++) {
        b.write('a');
      }
    }
    return b.toByteArray();
  }

  /** Reads frames until a GOAWAY or the end of the connection; false if it stays open and quiet. */
  private static boolean endsWithGoAway(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SseStream.WAIT_SECONDS);
    try {
      while (System.nanoTime() < deadline) {
        int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        in.readUnsignedByte(); // flags
        in.readInt(); // stream
        in.skipNBytes(length);
        if (type == FRAME_GOAWAY) {
          return true;
        }
      }
      return false;
    } catch (EOFException | SocketException ended) {
      return true;
    } catch (SocketTimeoutException quiet) {
      return false;
    }
  }

  private static void assertBystanderStillServed(SseStream bystander, String when) throws Exception {
    String id = f.publishOk("topic", "abuse", "data", when);
    SseStream.Event e;
    do {
      e = bystander.events.poll(SseStream.WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(e).as("bystander event %s", when).isNotNull();
    } while (!e.id().equals(id));
    assertThat(e.data()).isEqualTo(when);
  }
}
