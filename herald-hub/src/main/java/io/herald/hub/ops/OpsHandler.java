package io.herald.hub.ops;

import io.herald.core.transport.Transport;
import io.herald.hub.http.PresentedToken;
import io.herald.hub.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.BooleanSupplier;

/**
 * The operator's endpoints: {@code /healthz} (the process answers), {@code /readyz} (it can take
 * publishes: history or cluster transport usable, not draining) and {@code /metrics} (Prometheus).
 *
 * <p>Metrics reveal traffic volumes, so they can be guarded by a bearer token ({@code
 * --metrics-token}, compared in constant time) or moved to a separate admin address that is not
 * exposed ({@code --admin-addr}).
 */
public final class OpsHandler {
  public static final String HEALTH = "/healthz";
  public static final String READY = "/readyz";
  public static final String METRICS = "/metrics";

  private final HubMetrics metrics;
  private final Transport transport;
  private final BooleanSupplier draining;
  private final byte[] metricsToken;

  public OpsHandler(HubMetrics metrics, Transport transport, BooleanSupplier draining, String metricsToken) {
    this.metrics = metrics;
    this.transport = transport;
    this.draining = draining;
    this.metricsToken = metricsToken == null || metricsToken.isEmpty()
        ? null : metricsToken.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether {@code path} is one of the operator endpoints. */
  public static boolean owns(String path) {
    return path.equals(HEALTH) || path.equals(READY) || path.equals(METRICS);
  }

  /** Answers an operator request; {@code withMetrics} is false where metrics are not served. */
  public void handle(ChannelHandlerContext ctx, HttpRequest req, String path, boolean withMetrics) {
    FullHttpResponse res;
    switch (path) {
      case HEALTH -> res = Responses.text(HttpResponseStatus.OK, "ok");
      case READY -> {
        if (draining.getAsBoolean()) {
          res = Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "draining");
        } else if (!transport.isAvailable()) {
          res = Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "history/transport unavailable");
        } else {
          res = Responses.text(HttpResponseStatus.OK, "ready");
        }
      }
      case METRICS -> {
        if (!withMetrics) {
          res = Responses.text(HttpResponseStatus.NOT_FOUND, "metrics are served on --admin-addr");
        } else if (!authorized(req)) {
          res = Responses.text(HttpResponseStatus.UNAUTHORIZED, "metrics token required");
          res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        } else {
          res = Responses.body(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        }
      }
      default -> res = Responses.text(HttpResponseStatus.NOT_FOUND, "no such endpoint");
    }
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    Responses.send(ctx, req, res);
  }

  private boolean authorized(HttpRequest req) {
    if (metricsToken == null) {
      return true;
    }
    String bearer = PresentedToken.bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION));
    return bearer != null && MessageDigest.isEqual(metricsToken, bearer.getBytes(StandardCharsets.UTF_8));
  }
}
