package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.cli.ServeProcessTest.Sse;
import io.herald.core.transport.HistoryTransport;
import io.herald.hub.HubConfig;
import io.herald.hub.HubServer;
import io.herald.hub.auth.JwtVerifier;
import io.herald.hub.auth.TokenIssuer;
import io.herald.store.DurableHistory;
import io.herald.store.StoreOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that cannot take more (the engine's disk cap, which fails writes exactly like a full
 * disk): publishes get 503 with a clear reason, nothing refused is ever delivered, live
 * subscribers keep their streams, and the hub reports itself not ready.
 */
class FullStoreTest {
  private static final String KEY = "full-store-test-key-long-enough-for-hs256!!";

  @TempDir Path dir;

  @Test
  void publishesFailWith503AndSubscribersStayConnected() throws Exception {
    DurableHistory history = DurableHistory.open(dir.resolve("data"),
        StoreOptions.defaults().withMaxDiskBytes(256 * 1024).withMemtableBytes(64 * 1024));
    HistoryTransport transport = new HistoryTransport(history);
    HubServer hub = HubServer.start(HubConfig.builder()
        .address(new InetSocketAddress("127.0.0.1", 0))
        .publisherVerifier(JwtVerifier.create(KEY, "HS256"))
        .anonymous(true)
        .build(), transport);
    HttpClient http = HttpClient.newHttpClient();
    String url = "http://127.0.0.1:" + hub.port() + "/.well-known/mercure";
    String token = new TokenIssuer(KEY).issue(List.of("*"), List.of());
    try (Sse live = Sse.open(http, URI.create(url + "?topic=full"), Map.of())) {
      Random random = new Random(7);
      List<String> acked = new ArrayList<>();
      HttpResponse<String> refused = null;
      for (int i = 0; i < 2000 && refused == null; i++) {
        byte[] noise = new byte[16 * 1024];
        random.nextBytes(noise);
        String data = java.util.Base64.getEncoder().encodeToString(noise);
        HttpResponse<String> res = publish(http, url, token, "f" + i, data);
        if (res.statusCode() == 200) {
          acked.add(res.body().trim());
        } else {
          refused = res;
        }
      }
      assertThat(refused).as("the store never filled up").isNotNull();
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body().strip()).startsWith("history unavailable:").doesNotContain("\n");
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + hub.port() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(503);

      // The live subscriber got exactly the acknowledged updates, and is still connected.
      List<String> received = new ArrayList<>();
      for (int i = 0; i < acked.size(); i++) {
        received.add(live.nextData().id());
      }
      assertThat(received).isEqualTo(acked);
      assertThat(hub.subscriberCounters().connectedCount()).isEqualTo(1);
    } finally {
      hub.close();
      transport.close();
      history.close();
    }
  }

  private static HttpResponse<String> publish(HttpClient http, String url, String token, String id, String data)
      throws Exception {
    String body = "topic=full&id=" + id + "&data=" + URLEncoder.encode(data, StandardCharsets.UTF_8);
    return http.send(HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
