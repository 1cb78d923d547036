package io.herald.client.internal;

import java.util.Locale;

/** How the client classifies responses. */
public final class Statuses {
  private Statuses() {}

  /**
   * Whether retrying a request that got {@code status} may help: timeouts (408), rate limiting
   * (429) and server errors other than "not implemented" (501) and "version not supported" (505).
   */
  public static boolean isRetryable(int status) {
    return status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
  }

  /** Whether a Content-Type header value is {@code text/event-stream} (parameters allowed). */
  public static boolean isEventStream(String contentType) {
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.strip().toLowerCase(Locale.ROOT).equals("text/event-stream");
  }
}
