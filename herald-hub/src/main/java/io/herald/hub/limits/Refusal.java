package io.herald.hub.limits;

import io.herald.hub.http.Responses;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request over one of its limits: which limit, counted by what, and when to try again. Becomes
 * a 429 with {@code Retry-After} and a one-line reason (Mercure's spec says a hub SHOULD answer
 * 429 to a client over its limits).
 *
 * @param limit the limit exceeded
 * @param by what the limit counts by
 * @param retryAfterSeconds whole seconds until the request would be allowed, at least 1
 * @param reason the one-line reason sent to the client
 */
public record Refusal(Limit limit, By by, long retryAfterSeconds, String reason) {
  /** The limits, named as in the metric's {@code limit} label. */
  public enum Limit {
    PUBLISH_RATE,
    SUBSCRIBE_RATE,
    STREAMS;

    /** The metric label value, e.g. {@code publish_rate}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** What a limit counts by, named as in the metric's {@code by} label. */
  public enum By {
    ADDRESS,
    SUBJECT;

    /** The metric label value, e.g. {@code address}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The 429 response: {@code Retry-After} and the reason as {@code text/plain}. */
  public FullHttpResponse response() {
    FullHttpResponse res = Responses.text(HttpResponseStatus.TOO_MANY_REQUESTS, reason);
    res.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
    return res;
  }
}
