package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JWS authorization of publishers and subscribers, private updates, and token placement. */
class AuthorizationTest {
  HubFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void publishWithoutTokenIs401AndWithBadTokenIs401() throws Exception {
    assertThat(f.publish(null, "topic", "t").statusCode()).isEqualTo(401);
    HttpResponse<String> bad = f.publish("not.a.jwt", "topic", "t");
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.body()).startsWith("invalid publisher token");
    String otherKey = new io.herald.hub.auth.TokenIssuer(
        "another-secret-that-is-also-long-enough-for-hs256", "HS256").issue(List.of("*"), List.of());
    assertThat(f.publish(otherKey, "topic", "t").statusCode()).isEqualTo(401);
  }

  @Test
  void publishOutsideGrantedSelectorsIs403AndNothingIsDispatched() throws Exception {
    String token = HubFixture.token(List.of("https://example.com/books/{id}"), List.of("*"));
    try (SseStream s = f.subscribe(f.subscribeUri("*"), "Authorization", "Bearer " + token)) {
      // One alternate topic outside the grant makes the whole update refused.
      HttpResponse<String> refused = f.publish(token,
          "topic", "https://example.com/books/1", "topic", "https://example.com/secret", "id", "refused");
      assertThat(refused.statusCode()).isEqualTo(403);
      HttpResponse<String> none = f.publish(HubFixture.token(List.of(), List.of()), "topic", "x", "id", "none");
      assertThat(none.statusCode()).isEqualTo(403);
      HttpResponse<String> ok = f.publish(token, "topic", "https://example.com/books/1", "id", "allowed");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(s.nextData().id()).isEqualTo("allowed");
    }
  }

  @Test
  void subscribeWithoutTokenIs401UnlessAnonymousAllowed() throws Exception {
    try (SseStream s = f.subscribe(f.subscribeUri("t"))) {
      assertThat(s.status()).isEqualTo(401);
      assertThat(s.body()).contains("subscriber token required");
    }
    try (SseStream s = f.subscribe(f.subscribeUri("t"), "Authorization", "Bearer garbage")) {
      assertThat(s.status()).isEqualTo(401);
    }
    try (HubFixture anon = new HubFixture(b -> b.anonymous(true));
        SseStream s = anon.subscribe(anon.subscribeUri("t"))) {
      assertThat(s.status()).isEqualTo(200);
    }
  }

  @Test
  void privateUpdatesReachOnlyAuthorizedSubscribers() throws Exception {
    try (HubFixture g = new HubFixture(b -> b.anonymous(true));
        SseStream anonymous = g.subscribe(g.subscribeUri("*"));
        SseStream unrelated = g.subscribe(g.subscribeUri("*"),
            "Authorization", "Bearer " + HubFixture.token(List.of(), List.of("https://example.com/other/{x}")));
        SseStream viaAlternate = g.subscribe(g.subscribeUri("https://example.com/users/1/books"),
            "Authorization", "Bearer " + HubFixture.token(List.of(), List.of("https://example.com/users/1")));
        SseStream owner = g.subscribe(g.subscribeUri("https://example.com/users/1"),
            "Authorization", "Bearer " + HubFixture.token(List.of(), List.of("https://example.com/users/{id}")))) {
      g.publishOk("topic", "https://example.com/users/1", "topic", "https://example.com/users/1/books",
          "private", "on", "id", "secret", "data", "private stuff");
      g.publishOk("topic", "https://example.com/users/1", "topic", "https://example.com/users/1/books",
          "id", "public", "data", "public stuff");
      assertThat(owner.nextData().id()).isEqualTo("secret");
      assertThat(owner.nextData().id()).isEqualTo("public");
      assertThat(viaAlternate.nextData().id()).isEqualTo("secret");
      assertThat(viaAlternate.nextData().id()).isEqualTo("public");
      // The others see the public one first: the private one never reached them.
      assertThat(anonymous.nextData().id()).isEqualTo("public");
      assertThat(unrelated.nextData().id()).isEqualTo("public");
      assertThat(anonymous.raw()).doesNotContain("private stuff");
      assertThat(unrelated.raw()).doesNotContain("private stuff");
    }
  }

  @Test
  void tokenInQueryMakesResponsePrivateAndHeaderWinsOverQuery() throws Exception {
    String token = HubFixture.token(List.of(), List.of("*"));
    URI withQueryToken = URI.create(f.subscribeUri("t") + "&authorization=" + token);
    try (SseStream s = f.subscribe(withQueryToken)) {
      assertThat(s.status()).isEqualTo(200);
      assertThat(s.response.headers().firstValue("cache-control")).hasValue("private, no-cache");
    }
    URI withBadQueryToken = URI.create(f.subscribeUri("t") + "&authorization=garbage");
    try (SseStream s = f.subscribe(withBadQueryToken, "Authorization", "Bearer " + token)) {
      assertThat(s.status()).isEqualTo(200);
    }
  }

  @Test
  void tokenInCookieIsAcceptedAndMalformedCookiesDoNotHurt() throws Exception {
    String token = HubFixture.token(List.of(), List.of("*"));
    try (SseStream s = f.subscribe(f.subscribeUri("t"), "Cookie", "a=b; mercureAuthorization=" + token)) {
      assertThat(s.status()).isEqualTo(200);
    }
    try (SseStream s = f.subscribe(f.subscribeUri("t"), "Cookie", ";;==;mercureAuthorization; =x; \"unterminated; a=\"\"\"")) {
      assertThat(s.status()).isEqualTo(401);
    }
    try (SseStream s = f.subscribe(f.subscribeUri("t"), "Authorization", "Basic dXNlcjpwYXNz")) {
      assertThat(s.status()).isEqualTo(401);
    }
  }

  @Test
  void cookiePublishIsAcceptedOnlyFromPublishOrigins() throws Exception {
    try (HubFixture g = new HubFixture(b -> b.publishOrigins(List.of("https://app.example.com")))) {
      String token = HubFixture.publisherToken();
      HttpRequest.Builder base = HttpRequest.newBuilder(URI.create(g.hubUrl()))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .header("Cookie", "mercureAuthorization=" + token)
          .POST(HttpRequest.BodyPublishers.ofString(HubFixture.form("topic", "t")));
      HttpResponse<String> noOrigin = g.http.send(base.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(noOrigin.statusCode()).isEqualTo(403);
      HttpResponse<String> evil = g.http.send(
          base.copy().header("Origin", "https://evil.example.net").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(evil.statusCode()).isEqualTo(403);
      assertThat(evil.body()).contains("--publish-origins");
      HttpResponse<String> good = g.http.send(
          base.copy().header("Origin", "https://app.example.com").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(good.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void streamIsClosedWhenTheTokenExpires() throws Exception {
    String token = HubFixture.token(List.of(), List.of("*"), Instant.now().plusSeconds(2));
    try (SseStream s = f.subscribe(f.subscribeUri("t"), "Authorization", "Bearer " + token)) {
      assertThat(s.status()).isEqualTo(200);
      assertThat(s.awaitEnd(SseStream.WAIT_SECONDS)).isTrue();
    }
    assertThat(f.hub.subscriberCounters().expiredCount()).isEqualTo(1);
    // An already-expired token is refused outright.
    String expired = HubFixture.token(List.of(), List.of("*"), Instant.now().minusSeconds(60));
    try (SseStream s = f.subscribe(f.subscribeUri("t"), "Authorization", "Bearer " + expired)) {
      assertThat(s.status()).isEqualTo(401);
    }
  }
}
