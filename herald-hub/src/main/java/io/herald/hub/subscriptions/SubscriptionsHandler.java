package io.herald.hub.subscriptions;

import io.herald.core.auth.Grants;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.transport.Transport;
import io.herald.hub.auth.JwtVerifier;
import io.herald.hub.http.Authentication;
import io.herald.hub.http.Cors;
import io.herald.hub.http.Responses;
import io.herald.hub.json.Json;
import io.herald.hub.limits.LimitKeys;
import io.herald.hub.limits.Refusal;
import io.herald.hub.limits.RequestLimits;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The subscriptions API: {@code GET /.well-known/mercure/subscriptions[/{topic}[/{subscriber}]]}.
 *
 * <p>It reveals who is connected and their token payloads, so it is guarded like a private
 * topic: the caller needs a subscriber token whose {@code mercure.subscribe} selects the requested
 * path (e.g. {@code /.well-known/mercure/subscriptions{/topic}{/subscriber}}); no token is 401,
 * a token without that right is 403. Anonymous access is never allowed here.
 */
public final class SubscriptionsHandler {
  private final String cookieName;
  private final JwtVerifier subscriberVerifier;
  private final SubscriptionRegistry registry;
  private final Transport transport;
  private final TopicMatcher matcher;
  private final Cors cors;
  private final RequestLimits limits;

  public SubscriptionsHandler(
      String cookieName,
      JwtVerifier subscriberVerifier,
      SubscriptionRegistry registry,
      Transport transport,
      TopicMatcher matcher,
      Cors cors,
      RequestLimits limits) {
    this.cookieName = cookieName;
    this.subscriberVerifier = subscriberVerifier;
    this.registry = registry;
    this.transport = transport;
    this.matcher = matcher;
    this.cors = cors;
    this.limits = limits;
  }

  /** Whether {@code rawPath} belongs to this API. */
  public static boolean owns(String rawPath) {
    return rawPath.equals(ActiveSubscription.PATH) || rawPath.startsWith(ActiveSubscription.PATH + "/");
  }

  public void handle(ChannelHandlerContext ctx, HttpRequest req, String rawPath, Map<String, List<String>> query) {
    if (!registry.enabled()) {
      cors.refuse(ctx, req, HttpResponseStatus.NOT_FOUND,
          "subscriptions API disabled: start the hub with --subscriptions");
      return;
    }
    String rest = rawPath.substring(ActiveSubscription.PATH.length());
    String[] parts = rest.isEmpty() ? new String[0] : rest.substring(1).split("/", -1);
    if (parts.length > 2 || (parts.length >= 1 && parts[0].isEmpty())
        || (parts.length == 2 && parts[1].isEmpty())) {
      cors.refuse(ctx, req, HttpResponseStatus.NOT_FOUND, "no such subscriptions resource");
      return;
    }
    String topic;
    String subscriber;
    try {
      topic = parts.length >= 1 ? URLDecoder.decode(parts[0], StandardCharsets.UTF_8) : null;
      subscriber = parts.length == 2 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
    } catch (IllegalArgumentException e) {
      cors.refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, "malformed percent-encoding in path");
      return;
    }

    // Never anonymous: the list reveals who is connected and their payloads.
    Authentication auth = Authentication.of(
        req, query, cookieName, "subscriber", subscriberVerifier, null);
    if (auth.isRefused()) {
      cors.refuse(ctx, req, HttpResponseStatus.UNAUTHORIZED, auth.refusal());
      return;
    }
    Grants grants = auth.grants();
    // A read of the API counts as a subscribe request against the subscribe rate (429).
    Refusal limited = limits.subscribeRate(LimitKeys.clientAddress(ctx.channel()), grants.subject());
    if (limited != null) {
      Responses.send(ctx, req, cors.refusal(req, limited.response()));
      return;
    }
    if (!matcher.matchesAny(grants.subscribe(), rawPath)) {
      cors.refuse(ctx, req, HttpResponseStatus.FORBIDDEN, "token does not allow reading " + rawPath);
      return;
    }

    String lastEventId = transport.history().lastEventId();
    List<ActiveSubscription> found = registry.list(topic, subscriber);
    String lastEventIdText = lastEventId == null ? io.herald.core.history.ReplayStart.EARLIEST : lastEventId;
    StringBuilder body = new StringBuilder(256 + 256 * found.size());
    if (subscriber != null) {
      if (found.isEmpty()) {
        cors.refuse(ctx, req, HttpResponseStatus.NOT_FOUND, "no such subscription");
        return;
      }
      found.get(0).writeResource(body, lastEventIdText);
    } else {
      body.append("{\"@context\":\"https://mercure.rocks/\",\"id\":");
      Json.string(rawPath, body);
      body.append(",\"type\":\"Subscriptions\",\"lastEventID\":");
      Json.string(lastEventIdText, body);
      body.append(",\"subscriptions\":[");
      for (int i = 0; i < found.size(); i++) {
        if (i > 0) {
          body.append(',');
        }
        found.get(i).writeJsonLd(body, true, false);
      }
      body.append("]}");
    }
    FullHttpResponse res = Responses.body(
        HttpResponseStatus.OK, "application/ld+json", body.toString());
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    send(ctx, req, res);
  }

  private void send(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse res) {
    cors.apply(req, res.headers());
    Responses.send(ctx, req, res);
  }
}
