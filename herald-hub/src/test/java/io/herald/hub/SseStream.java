package io.herald.hub;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test subscriber over a real HTTP connection: collects events and comments as they arrive.
 * Shared with the other modules' tests through herald-hub's test jar.
 * Deliberately simple (LF line endings only, which is what the hub writes): the hub's framing is
 * what is under test here, not a client.
 */
public final class SseStream implements AutoCloseable {
  public record Event(String id, String type, String data, String retry) {}

  /** How long a test waits for something that should arrive; generous, only a safety net. */
  public static final long WAIT_SECONDS = 10;
  /** How much of the raw stream is kept for assertions and failure messages. */
  public static final int RAW_LIMIT = 256 * 1024;

  public final HttpResponse<InputStream> response;
  public final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  public final BlockingQueue<String> comments = new LinkedBlockingQueue<>();
  final StringBuilder raw = new StringBuilder();
  private final Thread reader;
  public volatile boolean ended;

  private SseStream(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::read, "test-sse-reader");
    this.reader.setDaemon(true);
    if (response.statusCode() == 200) {
      reader.start();
    }
  }

  public static SseStream open(HttpClient http, URI uri, String... headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return new SseStream(http.send(r.build(), HttpResponse.BodyHandlers.ofInputStream()));
  }

  public int status() {
    return response.statusCode();
  }

  public String body() throws IOException {
    return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String id = null;
      String type = null;
      String retry = null;
      List<String> data = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (raw) {
          // Bounded: large-volume tests must not measure the test's own buffer.
          if (raw.length() < RAW_LIMIT) {
            raw.append(line).append('\n');
          }
        }
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            events.add(new Event(id, type, String.join("\n", data), retry));
          } else if (retry != null) {
            events.add(new Event(null, null, null, retry));
          }
          id = null;
          type = null;
          retry = null;
          data.clear();
        } else if (line.startsWith(":")) {
          comments.add(line);
        } else {
          int colon = line.indexOf(':');
          String name = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1);
          if (value.startsWith(" ")) {
            value = value.substring(1);
          }
          switch (name) {
            case "id" -> id = value;
            case "event" -> type = value;
            case "retry" -> retry = value;
            case "data" -> data.add(value);
            default -> { }
          }
        }
      }
    } catch (IOException closed) {
      // the stream ended or was closed by the test
    } finally {
      ended = true;
    }
  }

  /** The next event, failing the test if none comes. */
  public Event next() throws InterruptedException {
    Event e = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    if (e == null) {
      throw new AssertionError("no event within " + WAIT_SECONDS + "s; raw stream so far:\n" + raw());
    }
    return e;
  }

  /** The next event that carries data (skips a bare retry hint). */
  public Event nextData() throws InterruptedException {
    Event e;
    do {
      e = next();
    } while (e.data() == null);
    return e;
  }

  public String raw() {
    synchronized (raw) {
      return raw.toString();
    }
  }

  /** Waits until the hub ends the stream. */
  public boolean awaitEnd(long seconds) throws InterruptedException {
    reader.join(TimeUnit.SECONDS.toMillis(seconds));
    return ended;
  }

  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
