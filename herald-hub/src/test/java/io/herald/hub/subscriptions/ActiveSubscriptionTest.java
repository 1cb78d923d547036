package io.herald.hub.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Subscription IDs and JSON-LD written by hand must equal what a JSON library and Mercure produce. */
class ActiveSubscriptionTest {
  private static final List<String> AWKWARD = List.of(
      "bench-0", "https://example.com/books/{id}", "a b+c*d~e%f", "/.well-known/mercure/subscriptions",
      "quote\"back\\slash", "line\nbreak\r\ttab\u0001", "\u2028sep\u2029", "caf\u00e9 \u6771\u4eac \ud83d\ude00",
      "urn:uuid:0d3a9f44-5a0e-4c47-9b60-2a1c3d1e8f00", "");

  @Test
  void escapesAsQueryEscapingWithPercent20AndKeepsTheUnreservedSet() {
    for (String s : AWKWARD) {
      String expected = URLEncoder.encode(s, StandardCharsets.UTF_8)
          .replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
      assertThat(ActiveSubscription.escape(s)).as(s).isEqualTo(expected);
      assertThat(URLDecoder.decode(ActiveSubscription.escape(s), StandardCharsets.UTF_8)).isEqualTo(s);
    }
    assertThat(ActiveSubscription.escape("https://a/b")).isEqualTo("https%3A%2F%2Fa%2Fb");
  }

  @Test
  void jsonLdParsesBackToTheSameValuesForAwkwardTopicsAndEveryPayloadType() throws Exception {
    Map<String, Object> payloads = new java.util.LinkedHashMap<>();
    payloads.put(null, null);
    payloads.put("{\"user\":\"alice\",\"roles\":[\"a\",\"b\"]}", Map.of("user", "alice", "roles", List.of("a", "b")));
    payloads.put("[1,2]", List.of(1L, 2L));
    payloads.put("\"plain\"", "plain");
    payloads.put("42", 42L);
    for (String topic : AWKWARD) {
      for (Map.Entry<String, Object> p : payloads.entrySet()) {
        ActiveSubscription s = new ActiveSubscription("urn:uuid:x\"y", topic, p.getKey());
        for (boolean context : new boolean[] {false, true}) {
          Map<String, Object> event = JSONObjectUtils.parse(
              "{\"wrapped\":" + s.toJsonLd(true, context) + "}");
          @SuppressWarnings("unchecked")
          Map<String, Object> o = (Map<String, Object>) event.get("wrapped");
          assertThat(o.get("id")).isEqualTo(s.id());
          assertThat(o.get("type")).isEqualTo("Subscription");
          assertThat(o.get("topic")).isEqualTo(topic);
          assertThat(o.get("subscriber")).isEqualTo("urn:uuid:x\"y");
          assertThat(o.get("active")).isEqualTo(true);
          assertThat(o).containsKey("payload");
          assertThat(o.get("payload")).isEqualTo(p.getValue());
          assertThat(o.containsKey("@context")).isEqualTo(context);
          List<String> keys = Arrays.asList(o.keySet().toArray(new String[0]));
          assertThat(keys).containsSubsequence("id", "type", "topic", "subscriber", "active", "payload");
        }
      }
    }
  }

  @Test
  void idIsTheCollectionPathWithBothPartsEscaped() {
    ActiveSubscription s = new ActiveSubscription("urn:uuid:1", "https://example.com/a b", null);
    assertThat(s.id()).isEqualTo(
        "/.well-known/mercure/subscriptions/https%3A%2F%2Fexample.com%2Fa%20b/urn%3Auuid%3A1");
  }
}
