package io.herald.hub.subscriptions;

import io.herald.hub.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * One (subscriber, topic selector) pair, as the protocol exposes it: a subscriber that selected
 * three topics is three subscriptions.
 *
 * <p>The token payload is kept as the JSON text the verifier produced, not as parsed values: it is
 * written verbatim into every event and API answer, so announcing a subscription neither parses
 * nor re-serializes it (with 10,000 subscribers connecting, that work was most of the cost of
 * {@code --subscriptions}). The text is trusted: it comes from {@link Json#write}, never from a
 * request.
 *
 * @param subscriber the subscriber's ID ({@code urn:uuid:...})
 * @param topic the topic selector it subscribed with
 * @param payloadJson its token's {@code mercure.payload} as compact JSON text, or {@code null}
 */
record ActiveSubscription(String subscriber, String topic, String payloadJson) {
  /** The collection's path, and the prefix of every subscription's topic. */
  public static final String PATH = "/.well-known/mercure/subscriptions";

  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  /**
   * This subscription's ID and topic: {@code /.well-known/mercure/subscriptions/{topic}/{subscriber}},
   * both parts percent-encoded the way Mercure hubs do (query escaping), so clients built for
   * Mercure find the same IDs.
   */
  public String id() {
    return PATH + "/" + escape(topic) + "/" + escape(subscriber);
  }

  /** The JSON-LD object of the protocol as text ({@code context} adds {@code @context}). */
  public String toJsonLd(boolean active, boolean context) {
    return toJsonLd(id(), active, context);
  }

  /** {@link #toJsonLd(boolean, boolean)} with this subscription's {@link #id()} already computed. */
  String toJsonLd(String id, boolean active, boolean context) {
    StringBuilder out = new StringBuilder(
        128 + id.length() + topic.length() + subscriber.length() + (payloadJson == null ? 4 : payloadJson.length()));
    writeJsonLd(out, id, active, context, null);
    return out.toString();
  }

  /** Appends the JSON-LD object: {@code @context}, {@code id}, {@code type}, {@code topic}, ... */
  public void writeJsonLd(StringBuilder out, boolean active, boolean context) {
    writeJsonLd(out, id(), active, context, null);
  }

  /**
   * Appends this active subscription as the API's single resource: with {@code @context} and the
   * hub's {@code lastEventID}.
   */
  public void writeResource(StringBuilder out, String lastEventId) {
    writeJsonLd(out, id(), true, true, lastEventId);
  }

  private void writeJsonLd(StringBuilder out, String id, boolean active, boolean context, String lastEventId) {
    out.append('{');
    if (context) {
      out.append("\"@context\":\"https://mercure.rocks/\",");
    }
    out.append("\"id\":");
    Json.string(id, out);
    out.append(",\"type\":\"Subscription\",\"topic\":");
    Json.string(topic, out);
    out.append(",\"subscriber\":");
    Json.string(subscriber, out);
    out.append(",\"active\":").append(active);
    out.append(",\"payload\":").append(payloadJson == null ? "null" : payloadJson);
    if (lastEventId != null) {
      out.append(",\"lastEventID\":");
      Json.string(lastEventId, out);
    }
    out.append('}');
  }

  /**
   * Percent-encodes every character but {@code A-Za-z0-9-_.~} as UTF-8 bytes; a space becomes
   * {@code %20}, not {@code +}, which a {@code {topic}} template expression would not match.
   * Text that needs no escaping (a bare name) is returned as it is.
   */
  static String escape(String s) {
    int i = 0;
    while (i < s.length() && unreserved(s.charAt(i))) {
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[i + 3 * (utf8.length - i)];
    int n = 0;
    for (byte b : utf8) {
      if (b >= 0 && unreserved((char) b)) {
        out[n++] = b;
      } else {
        out[n++] = '%';
        out[n++] = HEX[(b >> 4) & 0xF];
        out[n++] = HEX[b & 0xF];
      }
    }
    return new String(out, 0, n, StandardCharsets.US_ASCII);
  }

  private static boolean unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '_' || c == '.' || c == '~';
  }
}
