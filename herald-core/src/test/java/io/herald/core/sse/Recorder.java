package io.herald.core.sse;

import java.util.ArrayList;
import java.util.List;

/** Records what a parser reports, as short strings that are easy to compare and to read. */
final class Recorder implements SseHandler {
  final List<String> records = new ArrayList<>();

  @Override
  public void onEvent(SseEvent event) {
    records.add(
        "event id=" + event.id() + " type=" + event.type() + " data=" + event.data()
            + (event.retry() >= 0 ? " retry=" + event.retry() : ""));
  }

  @Override
  public void onComment(String comment) {
    records.add("comment " + comment);
  }

  @Override
  public void onRetry(long millis) {
    records.add("retry " + millis);
  }

  /** Shorthand for an expected event record. */
  static String event(String id, String type, String data) {
    return "event id=" + id + " type=" + type + " data=" + data;
  }

  /** Shorthand for an expected event of the default type with no id. */
  static String message(String data) {
    return event("", "message", data);
  }
}
