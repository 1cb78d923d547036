package io.herald.hub.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one refusal writer ({@link Cors#refusal}) and the one bearer parser ({@link PresentedToken#bearer}). */
class RefusalAndBearerTest {
  private static HttpRequest from(String origin) {
    HttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/.well-known/mercure");
    if (origin != null) {
      req.headers().set(HttpHeaderNames.ORIGIN, origin);
    }
    return req;
  }

  @Test
  void aRefusalCarriesItsReasonAndTheCorsHeadersOfAnAllowedOrigin() {
    Cors cors = new Cors(List.of("https://app.example"));

    FullHttpResponse allowed = cors.refusal(from("https://app.example"), HttpResponseStatus.FORBIDDEN, "no");
    FullHttpResponse other = cors.refusal(from("https://evil.example"), HttpResponseStatus.FORBIDDEN, "no");
    try {
      assertThat(allowed.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
      assertThat(allowed.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/plain");
      assertThat(allowed.content().toString(StandardCharsets.UTF_8)).isEqualTo("no\n");
      assertThat(allowed.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("https://app.example");
      assertThat(other.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
      assertThat(other.content().toString(StandardCharsets.UTF_8)).isEqualTo("no\n");
    } finally {
      allowed.release();
      other.release();
    }
  }

  @Test
  void onlyABearerHeaderYieldsAToken() {
    assertThat(PresentedToken.bearer("Bearer abc")).isEqualTo("abc");
    assertThat(PresentedToken.bearer("bearer  abc ")).isEqualTo("abc");
    assertThat(PresentedToken.bearer("Bearer ")).isNull();
    assertThat(PresentedToken.bearer("Basic abc")).isNull();
    assertThat(PresentedToken.bearer("Bearerabc")).isNull();
    assertThat(PresentedToken.bearer(null)).isNull();
  }
}
