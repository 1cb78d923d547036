package io.herald.client.internal;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The HTTP client used when the application supplies none. One for the whole JVM: a JDK 17
 * {@link HttpClient} cannot be closed, and each one keeps a selector thread alive until it is
 * garbage collected, so one per source would leak threads.
 */
public final class SharedHttpClient {
  private SharedHttpClient() {}

  private static final class Holder {
    static final HttpClient CLIENT =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_2)
            .build();
  }

  /** The shared client: follows redirects (not HTTPS to HTTP), 10 s connect timeout, HTTP/2. */
  public static HttpClient get() {
    return Holder.CLIENT;
  }
}
