package io.herald.hub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.hub.http.Responses;
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
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HubRouter} alone, on Netty's {@code EmbeddedChannel}: a publish goes on from its head to
 * what follows the router (the publish intake), untouched; any other request has its body dropped
 * and is answered by {@link Endpoints} (an unknown path here: 404, which needs no feature).
 */
class HubRouterTest {
  private static final int MAX_BODY = 100;
  private final Endpoints endpoints = new Endpoints(null, null, null, true, null, null, () -> false);
  /** Stands for the half-close of a real socket: the connection keeps reading after a refusal. */
  private final ChannelOutboundHandlerAdapter lingering = new ChannelOutboundHandlerAdapter() {
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
      promise.setSuccess();
    }
  };
  private final EmbeddedChannel channel = new EmbeddedChannel(lingering, new HubRouter(endpoints, MAX_BODY));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private static HttpRequest head(HttpMethod method, String uri) {
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    req.headers().set(HttpHeaderNames.HOST, "hub");
    return req;
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  private FullHttpResponse response() {
    return channel.readOutbound();
  }

  @Test
  void aPublishGoesOnFromItsHeadWithItsBodyAsItArrivesAndIsNotAnsweredHere() {
    HttpRequest publish = head(HttpMethod.POST, HubRouter.HUB_PATH + "?x=1");
    publish.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    DefaultHttpContent part = new DefaultHttpContent(bytes("topic=t"));
    DefaultLastHttpContent last = new DefaultLastHttpContent(bytes("&data=x"));

    channel.writeInbound(publish);
    assertThat((Object) channel.readInbound()).as("the head before any body byte").isSameAs(publish);
    channel.writeInbound(part, last);

    assertThat((Object) channel.readInbound()).isSameAs(part);
    assertThat((Object) channel.readInbound()).isSameAs(last);
    assertThat(part.refCnt()).as("handed over, not consumed").isEqualTo(1);
    assertThat((Object) channel.readOutbound()).isNull();
    part.release();
    last.release();
  }

  @Test
  void anyOtherRequestHasItsBodyDroppedAndIsAnsweredHereInStep() {
    HttpRequest get = head(HttpMethod.GET, "/nowhere");
    get.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    ByteBuf dropped = bytes("x".repeat(3 * MAX_BODY));

    channel.writeInbound(get, new DefaultHttpContent(dropped), new DefaultLastHttpContent());

    assertThat(dropped.refCnt()).as("dropped unbuffered, not collected").isZero();
    assertThat((Object) channel.readInbound()).as("nothing goes on to the publish intake").isNull();
    FullHttpResponse res = response();
    try {
      assertThat(res.status()).as("no 413: it was never collected").isEqualTo(HttpResponseStatus.NOT_FOUND);
    } finally {
      res.release();
    }
    // In step: the next request on the connection is answered too.
    channel.writeInbound(head(HttpMethod.GET, "/elsewhere"), new DefaultLastHttpContent());
    FullHttpResponse next = response();
    try {
      assertThat(next.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
    } finally {
      next.release();
    }
  }

  @Test
  void aDeclaredBodyOverTheLimitGets413WhateverTheEndpoint() {
    HttpRequest get = head(HttpMethod.GET, "/nowhere");
    get.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, MAX_BODY + 1);

    channel.writeInbound(get);

    FullHttpResponse res = response();
    try {
      assertThat(res.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
      assertThat(res.content().toString(StandardCharsets.UTF_8)).contains("larger than " + MAX_BODY + " bytes");
    } finally {
      res.release();
    }
  }

  @Test
  void aPostElsewhereIsNoPublish() {
    channel.writeInbound(head(HttpMethod.POST, "/.well-known/mercurex"), new DefaultLastHttpContent());

    assertThat((Object) channel.readInbound()).isNull();
    FullHttpResponse res = response();
    try {
      assertThat(res.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
    } finally {
      res.release();
    }
  }

  @Test
  void nothingMoreIsRoutedOnAConnectionThatIsClosingAfterARefusal() {
    Responses.failAndClose(channel.pipeline().lastContext(), HttpResponseStatus.UNAUTHORIZED, "no");
    FullHttpResponse refusal = response();
    refusal.release();
    HttpRequest publish = head(HttpMethod.POST, HubRouter.HUB_PATH);
    ByteBuf body = bytes("topic=t");

    channel.writeInbound(publish, new DefaultLastHttpContent(body));

    assertThat((Object) channel.readInbound()).isNull();
    assertThat(body.refCnt()).isZero();
  }
}
