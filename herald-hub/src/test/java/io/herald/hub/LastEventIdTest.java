package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code Last-Event-ID} header, byte for byte: a non-ASCII ID travels as UTF-8 both ways
 * (HTTP/1.1 and HTTP/2) and resumes; an empty one means live only; and a private ID the
 * subscriber may not see is answered exactly like an unknown one.
 */
class LastEventIdTest {
  private static final String ID = "\u00fc-id-\u20ac";
  private static final byte[] ID_UTF8 = ID.getBytes(StandardCharsets.UTF_8);

  HubFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void aUtf8LastEventIdResumesOverHttp11AndComesBackAsUtf8() throws Exception {
    f.publishOk("topic", "t", "id", "before", "data", "old");
    f.publishOk("topic", "t", "id", ID, "data", "seen");
    f.publishOk("topic", "t", "id", "after", "data", "missed");
    byte[] head = ("GET /.well-known/mercure?topic=t HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: ")
        .getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.write(head);
    request.write(ID_UTF8); // what a browser sends
    request.write("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    byte[] response = readUntil(request.toByteArray(), "data: missed\n\n");
    String raw = new String(response, StandardCharsets.UTF_8);
    assertThat(raw).startsWith("HTTP/1.1 200");
    assertThat(indexOf(response, concat("last-event-id: ", ID_UTF8, "\r\n"))).as(raw).isNotNegative();
    assertThat(raw).contains("id: after\ndata: missed\n\n").doesNotContain("data: old").doesNotContain("data: seen");
  }

  @Test
  void aUtf8LastEventIdResumesOverHttp2AndComesBackAsUtf8() throws Exception {
    f.publishOk("topic", "t", "id", "before", "data", "old");
    f.publishOk("topic", "t", "id", ID, "data", "seen");
    f.publishOk("topic", "t", "id", "after", "data", "missed");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel connection = H2TestClient.connect(group, f.port(), null);
      DefaultFullHttpRequest req = new DefaultFullHttpRequest(
          HttpVersion.HTTP_1_1, HttpMethod.GET, "/.well-known/mercure?topic=t");
      req.headers().set("host", "127.0.0.1:" + f.port()).set("x-http2-scheme", "http")
          .set("last-event-id", new AsciiString(ID_UTF8, false)); // HPACK writes these bytes
      StreamCollector c = H2TestClient.open(connection, req);
      assertThat(c.status.get(SseStream.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(200);
      assertThat(c.await("data: missed\n\n")).as(c.text()).isTrue();
      assertThat(c.text()).doesNotContain("data: old").doesNotContain("data: seen");
      String echoed = c.head.get(SseStream.WAIT_SECONDS, TimeUnit.SECONDS).headers().get("last-event-id");
      assertThat(echoed.getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(ID_UTF8);
      connection.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void aUtf8LastEventIdQueryParameterResumesToo() throws Exception {
    f.publishOk("topic", "t", "id", ID, "data", "seen");
    f.publishOk("topic", "t", "id", "after", "data", "missed");
    try (SseStream s = f.subscribe(URI.create(f.subscribeUri("t") + "&lastEventID=" + HubFixture.enc(ID)))) {
      assertThat(s.nextData().data()).isEqualTo("missed");
      String echoed = s.response.headers().firstValue("Last-Event-ID").orElseThrow();
      assertThat(echoed.getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(ID_UTF8);
    }
  }

  @Test
  void anEmptyLastEventIdHeaderMeansLiveOnly() throws Exception {
    f.publishOk("topic", "t", "id", "old", "data", "old");
    byte[] request = ("GET /.well-known/mercure?topic=t HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID:\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    try (Socket s = new Socket("127.0.0.1", f.port())) {
      s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(SseStream.WAIT_SECONDS));
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      String headers = new String(readUntil(s.getInputStream(), "\r\n\r\n"), StandardCharsets.UTF_8);
      assertThat(headers).startsWith("HTTP/1.1 200");
      f.publishOk("topic", "t", "id", "new", "data", "new");
      String body = new String(readUntil(s.getInputStream(), "data: new\n\n"), StandardCharsets.UTF_8);
      assertThat(body).doesNotContain("data: old");
    }
  }

  @Test
  void anEmptyLastEventIdQueryParameterMeansLiveOnly() throws Exception {
    f.publishOk("topic", "t", "id", "old", "data", "old");
    try (SseStream s = f.subscribe(URI.create(f.subscribeUri("t") + "&lastEventID="))) {
      assertThat(s.status()).isEqualTo(200);
      assertThat(s.response.headers().firstValue("Last-Event-ID")).isEmpty();
      f.publishOk("topic", "t", "id", "new", "data", "new");
      assertThat(s.nextData().data()).isEqualTo("new");
    }
  }

  @Test
  void aPrivateIdTheSubscriberCannotSeeIsAnsweredLikeAnUnknownOne() throws Exception {
    f.publishOk("topic", "t", "id", "public-1", "data", "one");
    f.publishOk("topic", "t", "id", "private-1", "data", "secret", "private", "on");
    f.publishOk("topic", "t", "id", "public-2", "data", "two");
    // An anonymous subscriber may not receive the private update: it must not learn its ID exists.
    Answer unknown = resume("no-such-id", null);
    Answer hidden = resume("private-1", null);
    assertThat(unknown.header).isEqualTo("earliest");
    assertThat(unknown.data).containsExactly("one", "two");
    assertThat(hidden).isEqualTo(unknown);
    // A subscriber allowed to receive it resumes after it, as before.
    String token = HubFixture.token(List.of(), List.of("t"));
    Answer allowed = resume("private-1", token);
    assertThat(allowed.header).isEqualTo("private-1");
    assertThat(allowed.data).containsExactly("two");
  }

  private record Answer(String header, List<String> data) {}

  /** Resumes from {@code lastEventId}: the header the hub answered, and the data replayed. */
  private Answer resume(String lastEventId, String token) throws Exception {
    List<String> headers = new ArrayList<>(List.of("Last-Event-ID", lastEventId));
    if (token != null) {
      headers.addAll(List.of("Authorization", "Bearer " + token));
    }
    try (SseStream s = f.subscribe(f.subscribeUri("t"), headers.toArray(String[]::new))) {
      assertThat(s.status()).isEqualTo(200);
      // The headers come once the replay's start is fixed: a marker published now arrives after
      // everything replayed, and ends the answer.
      String marker = f.publishOk("topic", "t", "data", "marker");
      List<String> data = new ArrayList<>();
      for (SseStream.Event e = s.nextData(); !e.id().equals(marker); e = s.nextData()) {
        if (!e.data().equals("marker")) {
          data.add(e.data());
        }
      }
      return new Answer(s.response.headers().firstValue("Last-Event-ID").orElse(null), data);
    }
  }

  private byte[] readUntil(byte[] request, String end) throws IOException {
    try (Socket s = new Socket("127.0.0.1", f.port())) {
      s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(SseStream.WAIT_SECONDS));
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      return readUntil(s.getInputStream(), end);
    }
  }

  /** Reads until {@code end} has arrived (or the socket times out, failing the test). */
  private static byte[] readUntil(InputStream in, String end) throws IOException {
    byte[] wanted = end.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (indexOf(out.toByteArray(), wanted) < 0) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("connection ended before " + end + ": " + out.toString(StandardCharsets.UTF_8));
      }
      out.write(b);
    }
    return out.toByteArray();
  }

  private static int asciiLower(byte b) {
    return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
  }

  private static byte[] concat(String a, byte[] b, String c) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(b);
    out.writeBytes(c.getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  /** Case-insensitive for ASCII letters, so header names match however they are written. */
  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (asciiLower(haystack[i + j]) != asciiLower(needle[j])) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
