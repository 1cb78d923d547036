package io.herald.hub.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.hub.HubFixture;
import io.herald.hub.auth.JwtVerifier;
import io.herald.hub.http.BodyBudget;
import io.herald.hub.http.Cors;
import io.herald.hub.http.FrontDoorCounters;
import io.herald.hub.limits.LimitSettings;
import io.herald.hub.limits.RequestLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PublishGate} alone, on Netty's {@code EmbeddedChannel}: what it lets through to the
 * aggregator behind it, and what it answers from a publish's head.
 */
class PublishGateTest {
  private final BodyBudget budget = new BodyBudget(1000);
  private final PublishAdmission admission = new PublishAdmission(
      new PublishSettings("mercureAuthorization", JwtVerifier.create(HubFixture.KEY, "HS256"), List.of()),
      new Cors(List.of()), new PublishCounters(), new RequestLimits(LimitSettings.OFF));
  /** Stands for the half-close of a real socket: the connection keeps reading after a refusal. */
  private final ChannelOutboundHandlerAdapter lingering = new ChannelOutboundHandlerAdapter() {
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
      promise.setSuccess();
    }
  };
  private final EmbeddedChannel channel =
      new EmbeddedChannel(lingering, new PublishGate(admission, budget, 500, new FrontDoorCounters()));

  private static HttpRequest publish(String token, long length) {
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/.well-known/mercure");
    req.headers().set(HttpHeaderNames.HOST, "hub")
        .set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded")
        .set(HttpHeaderNames.CONTENT_LENGTH, length);
    if (token != null) {
      req.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
    }
    return req;
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  @Test
  void aPublishWithoutATokenGets401FromItsHeadAndItsBodyIsNeverPassedOn() {
    channel.writeInbound(publish(null, 11));
    ByteBuf body = bytes("topic=t&d=x");
    channel.writeInbound(new DefaultLastHttpContent(body));

    FullHttpResponse res = channel.readOutbound();
    try {
      assertThat(res.status().code()).isEqualTo(401);
      assertThat(res.content().toString(StandardCharsets.UTF_8)).isNotBlank();
    } finally {
      res.release();
    }
    assertThat((Object) channel.readInbound()).as("nothing reaches the aggregator").isNull();
    assertThat(body.refCnt()).as("the body is released, not held").isZero();
    assertThat(budget.inFlight()).isZero();
    channel.finishAndReleaseAll();
  }

  @Test
  void anAdmittedPublishReservesItsDeclaredBodyUntilItsLastPartAndHandsOnThePublisher() {
    channel.writeInbound(publish(HubFixture.publisherToken(), 11));
    assertThat(budget.inFlight()).isEqualTo(11);
    assertThat(channel.attr(PublishAdmission.ADMITTED).get()).isNotNull();
    assertThat((Object) channel.readInbound()).isInstanceOf(HttpRequest.class);

    channel.writeInbound(new DefaultHttpContent(bytes("topic=t")));
    assertThat(budget.inFlight()).isEqualTo(11);
    channel.writeInbound(new DefaultLastHttpContent(bytes("&d=x")));
    assertThat(budget.inFlight()).isZero();
    ReferenceCountUtil.release(channel.readInbound());
    ReferenceCountUtil.release(channel.readInbound());
    assertThat((Object) channel.readOutbound()).as("nothing answered by the gate").isNull();
    channel.finishAndReleaseAll();
  }

  @Test
  void aBodyThatDoesNotFitTheBudgetGets503WithRetryAfter() {
    budget.tryReserve(600);
    channel.writeInbound(publish(HubFixture.publisherToken(), 450));

    FullHttpResponse res = channel.readOutbound();
    try {
      assertThat(res.status().code()).isEqualTo(503);
      assertThat(res.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo(PublishGate.RETRY_AFTER_SECONDS);
    } finally {
      res.release();
    }
    assertThat(budget.inFlight()).as("only what was reserved before").isEqualTo(600);
    channel.finishAndReleaseAll();
  }

  @Test
  void aDeclaredBodyOverTheLimitGoesOnUnadmittedForTheAggregatorsAnswerAndIsDropped() {
    channel.writeInbound(publish(null, 501));
    assertThat((Object) channel.readInbound()).as("the head, for the 413").isInstanceOf(HttpRequest.class);
    ByteBuf body = bytes("x".repeat(501));
    channel.writeInbound(new DefaultLastHttpContent(body));

    assertThat(body.refCnt()).isZero();
    assertThat((Object) channel.readOutbound()).as("no 401: the limit is everyone's").isNull();
    assertThat(budget.inFlight()).isZero();
    channel.finishAndReleaseAll();
  }
}
