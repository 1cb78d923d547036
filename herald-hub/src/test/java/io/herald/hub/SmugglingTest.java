package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request smuggling: a request whose framing two parsers could read differently (a proxy in
 * front and the hub) must never be guessed at. Each is refused with 400 and the connection is
 * closed (RFC 9112 6.1 and 6.3: the hub cannot know where the next request starts), so nothing
 * hidden in its body is ever read as a request of its own. A bystander's stream sees only the
 * real update published afterwards.
 */
class SmugglingTest {
  private static HubFixture f;
  /**
   * An authorized publish head: the hub reads on past it into the body, so what is under test is
   * the body's framing (without a token the hub answers 401 from the head and reads nothing).
   */
  private static final String POST = "POST /.well-known/mercure HTTP/1.1\r\nHost: hub\r\n"
      + "Authorization: Bearer " + HubFixture.publisherToken() + "\r\n"
      + "Content-Type: application/x-www-form-urlencoded\r\n";
  /** What a smuggler hides after the ambiguous body: a publish of its own, without a token. */
  private static final String HIDDEN = "POST /.well-known/mercure HTTP/1.1\r\nHost: hub\r\n"
      + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 22\r\n\r\ntopic=t&data=smuggled";

  @BeforeAll
  static void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true));
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "content-length-and-chunked",
      "two-content-lengths",
      "space-before-colon",
      "unknown-transfer-coding",
      "chunked-not-last",
      "invalid-chunk-size",
      "negative-content-length",
      "signed-content-length",
      "bare-lf-line-ends",
      "nul-in-a-header"})
  void ambiguousFramingIs400AndClosesTheConnection(String attack) throws Exception {
    String request = switch (attack) {
      case "content-length-and-chunked" ->
          POST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + HIDDEN;
      case "two-content-lengths" -> POST + "Content-Length: 5\r\nContent-Length: 80\r\n\r\ntopic" + HIDDEN;
      case "space-before-colon" -> POST + "Content-Length : 5\r\n\r\ntopic" + HIDDEN;
      case "unknown-transfer-coding" -> POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + HIDDEN;
      case "chunked-not-last" -> POST + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + HIDDEN;
      case "invalid-chunk-size" -> POST + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n" + HIDDEN;
      case "negative-content-length" -> POST + "Content-Length: -1\r\n\r\n" + HIDDEN;
      case "signed-content-length" -> POST + "Content-Length: +5\r\n\r\ntopic" + HIDDEN;
      case "bare-lf-line-ends" -> POST.replace("\r\n", "\n") + "Content-Length: 5\n\ntopic" + HIDDEN;
      case "nul-in-a-header" -> POST + "X-Note: a\0b\r\nContent-Length: 5\r\n\r\ntopic" + HIDDEN;
      default -> throw new AssertionError(attack);
    };
    try (SseStream bystander = f.subscribe(f.subscribeUri("t"))) {
      Exchange answer = exchange(request);
      assertThat(answer.text).as(attack).startsWith("HTTP/1.1 400 ");
      assertThat(answer.text).as("exactly one response: nothing hidden was read as a request")
          .containsOnlyOnce("HTTP/1.1 ");
      assertThat(answer.closed).as("the connection is closed after the 400").isTrue();

      f.publishOk("topic", "t", "data", "real");
      SseStream.Event first = bystander.events.poll(SseStream.WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      assertThat(first.data()).isEqualTo("real");
    }
  }

  /** What came back, and whether the hub closed the connection (rather than going quiet). */
  private record Exchange(String text, boolean closed) {}

  private static Exchange exchange(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", f.port())) {
      s.setSoTimeout(3000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      boolean closed;
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
        }
        closed = true;
      } catch (SocketTimeoutException stillOpen) {
        closed = false;
      } catch (IOException reset) {
        closed = true;
      }
      return new Exchange(out.toString(StandardCharsets.ISO_8859_1), closed);
    }
  }
}
