package io.herald.hub.page;

import io.herald.hub.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Serves the hub's own page ({@code GET /}): a live view of a topic through the browser's
 * EventSource, on the hub's origin, so browsers can be pointed at a hub and see it work. With
 * {@code --demo} it shows the {@code demo/clock} topic ticking.
 */
public final class PageHandler {
  private final String html;

  public PageHandler() {
    try (InputStream in = PageHandler.class.getResourceAsStream("index.html")) {
      if (in == null) {
        throw new IllegalStateException("index.html missing from the hub's resources");
      }
      this.html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
    FullHttpResponse res = Responses.body(HttpResponseStatus.OK, "text/html; charset=utf-8", html);
    res.headers()
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .set("Content-Security-Policy",
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'");
    if (req.method().equals(HttpMethod.HEAD)) {
      res.content().clear();
    }
    Responses.send(ctx, req, res);
  }
}
