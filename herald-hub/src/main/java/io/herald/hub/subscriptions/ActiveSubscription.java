package io.herald.hub.subscriptions;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One (subscriber, topic selector) pair, as the protocol exposes it: a subscriber that selected
 * three topics is three subscriptions.
 *
 * @param subscriber the subscriber's ID ({@code urn:uuid:...})
 * @param topic the topic selector it subscribed with
 * @param payload its token's {@code mercure.payload} as parsed JSON (maps, lists, strings,
 *     numbers, booleans), or {@code null}
 */
public record ActiveSubscription(String subscriber, String topic, Object payload) {
  /** The collection's path, and the prefix of every subscription's topic. */
  public static final String PATH = "/.well-known/mercure/subscriptions";

  /**
   * This subscription's ID and topic: {@code /.well-known/mercure/subscriptions/{topic}/{subscriber}},
   * both parts percent-encoded the way Mercure hubs do (query escaping), so clients built for
   * Mercure find the same IDs.
   */
  public String id() {
    return PATH + "/" + escape(topic) + "/" + escape(subscriber);
  }

  /** The JSON-LD object of the protocol ({@code context} adds {@code @context}). */
  public Map<String, Object> toJsonLd(boolean active, boolean context) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (context) {
      m.put("@context", "https://mercure.rocks/");
    }
    m.put("id", id());
    m.put("type", "Subscription");
    m.put("topic", topic);
    m.put("subscriber", subscriber);
    m.put("active", active);
    m.put("payload", payload);
    return m;
  }

  /** Parses a token's payload claim, given as JSON text ({@code null} for none). */
  static Object parsePayload(String payloadJson) {
    if (payloadJson == null) {
      return null;
    }
    try {
      // Wrapping lets any JSON value (object, array, string, number) come back as a Java value.
      return JSONObjectUtils.parse("{\"p\":" + payloadJson + "}").get("p");
    } catch (ParseException e) {
      return null;
    }
  }

  /**
   * Percent-encodes every character but {@code A-Za-z0-9-_.~}; a space becomes {@code %20}, not
   * {@code +}, which a {@code {topic}} template expression would not match.
   */
  static String escape(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8)
        .replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
  }
}
