package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cross-origin access for browsers: preflight for publish, exact origins with credentials, '*'. */
class CorsTest {
  private static HttpResponse<String> preflight(HubFixture f, String origin) throws Exception {
    return f.http.send(HttpRequest.newBuilder(URI.create(f.hubUrl()))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, content-type")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void exactOriginsGetEchoedWithCredentials() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.anonymous(true).corsOrigins(List.of("https://app.example.com")))) {
      HttpResponse<String> ok = preflight(f, "https://app.example.com");
      assertThat(ok.statusCode()).isEqualTo(204);
      assertThat(ok.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example.com");
      assertThat(ok.headers().firstValue("access-control-allow-credentials")).hasValue("true");
      assertThat(ok.headers().firstValue("access-control-allow-methods").orElse("")).contains("POST");
      assertThat(ok.headers().firstValue("access-control-allow-headers")).hasValue("authorization, content-type");

      HttpResponse<String> refused = preflight(f, "https://evil.example.net");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.headers().firstValue("access-control-allow-origin")).isEmpty();

      try (SseStream s = f.subscribe(f.subscribeUri("t"), "Origin", "https://app.example.com")) {
        assertThat(s.response.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example.com");
        assertThat(s.response.headers().firstValue("access-control-allow-credentials")).hasValue("true");
      }
      try (SseStream s = f.subscribe(f.subscribeUri("t"), "Origin", "https://evil.example.net")) {
        assertThat(s.response.headers().firstValue("access-control-allow-origin")).isEmpty();
      }
    }
  }

  @Test
  void wildcardNeverAllowsCredentials() throws Exception {
    try (HubFixture f = new HubFixture(b -> b.anonymous(true).corsOrigins(List.of("*")))) {
      HttpResponse<String> ok = preflight(f, "https://anything.example");
      assertThat(ok.statusCode()).isEqualTo(204);
      assertThat(ok.headers().firstValue("access-control-allow-origin")).hasValue("*");
      assertThat(ok.headers().firstValue("access-control-allow-credentials")).isEmpty();
      HttpResponse<String> pub = f.http.send(HttpRequest.newBuilder(URI.create(f.hubUrl()))
              .header("Origin", "https://anything.example")
              .header("Authorization", "Bearer " + HubFixture.publisherToken())
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString("topic=t"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(pub.statusCode()).isEqualTo(200);
      assertThat(pub.headers().firstValue("access-control-allow-origin")).hasValue("*");
    }
  }
}
