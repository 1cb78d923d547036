package io.herald.hub;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One raw TCP connection to the hub that the test drives byte by byte: for requests that stop
 * half-way (slow heads, stalled bodies) and for connections that must be refused or closed.
 */
final class RawConnection implements AutoCloseable {
  /** Safety net for any single wait; tests never assert on time. */
  static final int WAIT_MILLIS = 20_000;

  final Socket socket;
  private final InputStream in;

  private RawConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  /** A connection from 127.0.0.1 to the hub on {@code port}. */
  static RawConnection open(int port) throws IOException {
    return open(port, "127.0.0.1");
  }

  /** A connection from the loopback address {@code from} (any 127.x.y.z works on Linux). */
  static RawConnection open(int port, String from) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), WAIT_MILLIS);
    s.setSoTimeout(WAIT_MILLIS);
    return new RawConnection(s);
  }

  RawConnection send(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return this;
  }

  /** Sends {@code n} bytes of form body ("a=aaaa..."). */
  RawConnection sendBody(int n) throws IOException {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) 'a');
    if (n >= 2) {
      b[1] = '=';
    }
    socket.getOutputStream().write(b);
    socket.getOutputStream().flush();
    return this;
  }

  /**
   * Reads one response (head and a Content-Length body), or returns {@code null} when the hub
   * closes (or resets) the connection first. Fails if nothing comes within the safety net.
   */
  String readResponse() throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    int headEnd = -1;
    int contentLength = 0;
    try {
      while (true) {
        int c = in.read();
        if (c < 0) {
          return got.size() == 0 ? null : got.toString(StandardCharsets.ISO_8859_1);
        }
        got.write(c);
        String s = got.toString(StandardCharsets.ISO_8859_1);
        if (headEnd < 0 && s.endsWith("\r\n\r\n")) {
          headEnd = s.length();
          java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(s);
          contentLength = m.find() ? Integer.parseInt(m.group(1)) : 0;
        }
        if (headEnd >= 0 && s.length() >= headEnd + contentLength) {
          return s;
        }
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer and no close within " + WAIT_MILLIS + " ms; got: " + got);
    } catch (IOException reset) {
      return got.size() == 0 ? null : got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Whether the hub closed the connection (EOF or reset) before the safety net, reading what comes. */
  boolean awaitClosed() throws IOException {
    byte[] buf = new byte[8192];
    try {
      while (in.read(buf) >= 0) {
        // discard
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  static int status(String response) {
    return RawHttp.status(response);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
