package io.herald.hub;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request over a real socket bound to a chosen loopback address (127.0.0.2 is
 * another client to the hub than 127.0.0.1): what per-address limits need and the JDK's
 * HttpClient (Java 17) cannot do. The response head is read; a stream stays open on the socket.
 */
final class BoundClient implements AutoCloseable {
  private static final int MAX_HEAD = 16 * 1024;

  final Socket socket;
  final int status;
  final Map<String, String> headers;
  /** The body of a response with {@code Content-Length}; empty for a stream. */
  final String body;

  private BoundClient(Socket socket, int status, Map<String, String> headers, String body) {
    this.socket = socket;
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /** A socket from {@code localIp} to the hub, not connected yet (to set buffer sizes first). */
  static Socket socket(String localIp, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName(localIp), 0));
    s.setSoTimeout((int) java.util.concurrent.TimeUnit.SECONDS.toMillis(SseStream.WAIT_SECONDS));
    return s;
  }

  /** A subscribe (GET) from {@code localIp}; the token may be null. */
  static BoundClient subscribe(String localIp, int port, String topic, String token) throws IOException {
    return exchange(socket(localIp, port), port, "GET", "/.well-known/mercure?topic=" + HubFixture.enc(topic), token, null);
  }

  /** A publish (POST form) from {@code localIp}; answered and closed. */
  static BoundClient publish(String localIp, int port, String token, String... pairs) throws IOException {
    try (BoundClient c = exchange(socket(localIp, port), port, "POST", "/.well-known/mercure", token,
        HubFixture.form(pairs))) {
      return c;
    }
  }

  /** Any GET from {@code localIp}; answered and closed. */
  static BoundClient get(String localIp, int port, String target, String token) throws IOException {
    try (BoundClient c = exchange(socket(localIp, port), port, "GET", target, token, null)) {
      return c;
    }
  }

  static BoundClient exchange(Socket s, int port, String method, String target, String token, String form)
      throws IOException {
    s.connect(new InetSocketAddress("127.0.0.1", port));
    StringBuilder req = new StringBuilder()
        .append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (token != null) {
      req.append("Authorization: Bearer ").append(token).append("\r\n");
    }
    byte[] content = form == null ? new byte[0] : form.getBytes(StandardCharsets.UTF_8);
    if (form != null) {
      req.append("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ")
          .append(content.length).append("\r\n");
    }
    req.append("\r\n");
    s.getOutputStream().write(req.toString().getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().write(content);
    s.getOutputStream().flush();

    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
      if (n > MAX_HEAD) {
        throw new IOException("response head too long");
      }
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    if (lines.length == 0 || !lines[0].startsWith("HTTP/1.1 ")) {
      throw new IOException("not an HTTP response: " + head);
    }
    int status = Integer.parseInt(lines[0].substring(9, 12));
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    String body = "";
    if (headers.containsKey("content-length")) {
      byte[] buf = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      body = new String(buf, StandardCharsets.UTF_8);
    }
    return new BoundClient(s, status, headers, body);
  }

  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** Reads the stream until the hub ends it; returns whether it did within the wait. */
  boolean endedByHub() {
    try {
      byte[] buf = new byte[8192];
      while (socket.getInputStream().read(buf) >= 0) {
        // discard
      }
      return true;
    } catch (IOException timeoutOrReset) {
      return !(timeoutOrReset instanceof java.net.SocketTimeoutException);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
