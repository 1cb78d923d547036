package io.herald.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny HTTP/1.1 server on a real loopback socket, scripted per connection, for testing the
 * client against real network behaviour (drops, silence, statuses) without mocks.
 *
 * <p>Each accepted connection reads one request, then runs the {@link Script} with the connection
 * number (0 for the first). Responses are {@code Connection: close}: one request per connection,
 * so "connections" and "requests" are the same thing here, and the server can count how many are
 * open (a connection counts as open until the client closes its side, or the script drops it).
 */
final class TestSseServer implements AutoCloseable {

  /** What the server does on one connection. */
  @FunctionalInterface
  interface Script {
    void run(Exchange exchange) throws Exception;
  }

  /** A recorded request: path with query, and headers (names lower-cased). */
  record Request(String method, String target, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final ServerSocket server;
  private final Script script;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean closed;

  private TestSseServer(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket();
    this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.acceptor = new Thread(this::acceptLoop, "test-sse-server-accept");
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  static TestSseServer start(Script script) throws IOException {
    return new TestSseServer(script);
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + pathAndQuery);
  }

  List<Request> requests() {
    return Collections.unmodifiableList(new ArrayList<>(requests));
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** Connections currently open (the client has not closed them and the script has not dropped them). */
  int openConnections() {
    return open.get();
  }

  /** Waits (polling; a safety net, not a measured duration) until no connection is open. */
  boolean awaitNoOpenConnection(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (open.get() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        int number = connections.getAndIncrement();
        open.incrementAndGet();
        sockets.add(socket);
        Thread t = new Thread(() -> serve(socket, number), "test-sse-server-" + number);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket, int number) {
    try (socket) {
      Request request = readRequest(socket.getInputStream());
      if (request == null) {
        return;
      }
      requests.add(request);
      script.run(new Exchange(socket, number, request));
    } catch (Exception e) {
      // The client went away, or the test ended: nothing to do.
    } finally {
      open.decrementAndGet();
    }
  }

  private static Request readRequest(InputStream in) throws IOException {
    String requestLine = readLine(in);
    if (requestLine == null || requestLine.isEmpty()) {
      return null;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    String[] parts = requestLine.split(" ");
    String body = "";
    String length = headers.get("content-length");
    if (length != null) {
      body = new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
    }
    return new Request(parts[0], parts[1], headers, body);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }

  /** One connection, as seen by a script. */
  static final class Exchange {
    final int number;
    final Request request;
    private final Socket socket;
    private final OutputStream out;

    Exchange(Socket socket, int number, Request request) throws IOException {
      this.socket = socket;
      this.number = number;
      this.request = request;
      this.out = socket.getOutputStream();
    }

    /** A complete response with a body, then the connection is closed. */
    void respond(int status, String contentType, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      String head =
          "HTTP/1.1 " + status + " Status\r\n"
              + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
              + "Content-Length: " + bytes.length + "\r\n"
              + "Connection: close\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(bytes);
      out.flush();
    }

    /** A response with extra header lines (each "Name: value"), no body. */
    void respondWithHeaders(int status, String... headerLines) throws IOException {
      StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " Status\r\n");
      for (String h : headerLines) {
        head.append(h).append("\r\n");
      }
      head.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** 204 No Content. */
    void noContent() throws IOException {
      out.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** Starts an event stream: headers only, the body runs until the connection closes. */
    Exchange startStream() throws IOException {
      return startStream("text/event-stream");
    }

    Exchange startStream(String contentType) throws IOException {
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: " + contentType
                  + "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return this;
    }

    /** Writes and flushes raw stream text. */
    Exchange send(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
      return this;
    }

    Exchange send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
      return this;
    }

    /** Stays silent until the client closes the connection. */
    void holdUntilClientCloses() throws IOException {
      InputStream in = socket.getInputStream();
      try {
        while (in.read() != -1) {
          // discard
        }
      } catch (SocketException e) {
        // reset by the client: closed as well
      }
    }

    /** Drops the connection abruptly (the script returning does the same, more politely). */
    void drop() throws IOException {
      socket.close();
    }
  }
}
