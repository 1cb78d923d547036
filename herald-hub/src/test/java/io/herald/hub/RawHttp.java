package io.herald.hub;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Sends raw bytes to the hub, exactly as given, and reads what comes back: for malformed input. */
final class RawHttp {
  private RawHttp() {}

  /** Writes {@code request}, then reads until the hub closes or goes quiet for a while. */
  static String exchange(int port, byte[] request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(3000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
        }
      } catch (SocketTimeoutException quiet) {
        // the hub kept the connection open: what we have is the answer
      } catch (IOException reset) {
        // the hub closed with unread input (connection reset): what we have is the answer
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  static String exchange(int port, String request) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** The status code of the first response in {@code raw}. */
  static int status(String raw) {
    if (!raw.startsWith("HTTP/1.1 ")) {
      throw new AssertionError("not an HTTP response: " + raw);
    }
    return Integer.parseInt(raw.substring(9, 12));
  }
}
