package io.herald.hub.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.auth.Authorization;
import io.herald.core.auth.Grants;
import io.herald.core.sse.SseEncoder;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.update.Update;
import io.herald.hub.HubConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SubscriberStream} on an HTTP/2 stream: two embedded connections, the hub's (the real
 * frame codec, multiplexer and stream codec, as the hub's pipeline has them) and a client's, with
 * the bytes carried between them by the test. Pins what only HTTP/2 does: each write charged
 * {@link SubscriberStream#HTTP2_WRITE_OVERHEAD} and released by its own promise ({@link
 * ChargedWrite}) when the frame leaves or the stream is reset.
 */
class SubscriberStreamHttp2Test {
  private static final String TOPIC = "https://example.com/books/1";

  private final SubscriberCounters counters = new SubscriberCounters();
  private final List<Http2StreamChannel> serverStreams = new ArrayList<>();
  private final List<Delivery> made = new ArrayList<>();
  private final StringBuilder body = new StringBuilder();
  private final EmbeddedChannel server = new EmbeddedChannel(
      Http2FrameCodecBuilder.forServer().build(),
      new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
        @Override
        protected void initChannel(Http2StreamChannel ch) {
          ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
          serverStreams.add(ch);
        }
      }));
  private EmbeddedChannel client;
  private HttpResponse response;
  private LoopSubscribers home;

  /** Carries bytes both ways until neither side has more to say. */
  private void exchange() {
    boolean moved = true;
    while (moved) {
      moved = false;
      server.runPendingTasks(); // the loop's coalesced flush, the codecs' own tasks
      client.runPendingTasks();
      ByteBuf b;
      while ((b = client.readOutbound()) != null) {
        server.writeInbound(b);
        moved = true;
      }
      while ((b = server.readOutbound()) != null) {
        client.writeInbound(b);
        moved = true;
      }
    }
  }

  /** Connects a client announcing {@code window} as its streams' initial window, opens a stream on the hub. */
  private SubscriberStream open(int window, long maxQueuedBytes) {
    client = new EmbeddedChannel(
        Http2FrameCodecBuilder.forClient().initialSettings(Http2Settings.defaultSettings().initialWindowSize(window))
            .build(),
        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
    exchange();
    Http2StreamChannel clientStream = new Http2StreamChannelBootstrap(client)
        .handler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                new SimpleChannelInboundHandler<HttpObject>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                    if (msg instanceof HttpResponse r) {
                      response = r;
                    }
                    if (msg instanceof HttpContent c) {
                      body.append(c.content().toString(StandardCharsets.UTF_8));
                    }
                  }
                });
          }
        })
        .open().syncUninterruptibly().getNow();
    DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
        "/.well-known/mercure?topic=" + TOPIC);
    req.headers().set("host", "hub.example").set("x-http2-scheme", "https");
    clientStream.writeAndFlush(req);
    exchange();
    assertThat(serverStreams).hasSize(1);
    Http2StreamChannel ch = serverStreams.get(0);

    HubConfig config = HubConfig.builder().anonymous(true).build();
    OutboundBudget budget = new OutboundBudget(config.maxQueuedBytesTotal(), 1);
    home = new LoopSubscribers((EventLoop) ch.eventLoop(), new Authorization(new TopicMatcher()), fanOutSettings(config), counters,
        budget, budget.share(0));
    SubscriberStream stream = new SubscriberStream(ch, home, List.of(TOPIC), Grants.ANONYMOUS, counters,
        maxQueuedBytes, false);
    stream.open();
    ch.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), ch.voidPromise());
    stream.markStarted(false);
    stream.writeRaw(Unpooled.wrappedBuffer(SseEncoder.retry(2000)));
    stream.flush();
    exchange();
    return stream;
  }

  private Delivery delivery(long sequence, String data) {
    Update u = new Update("id-" + sequence, List.of(TOPIC), data, null, -1, false, sequence);
    Delivery d = Delivery.of(u, SseEncoder.encode(u));
    made.add(d);
    return d;
  }

  @AfterEach
  void everySharedBufferIsBackToItsOneReference() {
    server.finishAndReleaseAll();
    if (client != null) {
      client.finishAndReleaseAll();
    }
    for (Delivery d : made) {
      assertThat(d.chunk().refCnt()).as("references to update %d", d.update().sequence()).isEqualTo(1);
      d.release();
    }
  }

  @Test
  void liveUpdatesGoOutAsDataFramesAndTheirChargeIsReleasedOnceSent() {
    open(65_535, 1 << 20);
    home.dispatch(delivery(1, "one"));
    home.dispatch(delivery(2, "two"));
    assertThat(home.budgetShare().value()).as("charged until the frames leave")
        .isGreaterThanOrEqualTo(2 * SubscriberStream.HTTP2_WRITE_OVERHEAD);
    exchange();

    assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(body).hasToString("retry: 2000\n\nid: id-1\ndata: one\n\nid: id-2\ndata: two\n\n");
    assertThat(home.budgetShare().value()).isZero();
    assertThat(counters.deliveryCount()).isEqualTo(2);
  }

  @Test
  void aStreamWhoseWindowStaysShutIsDroppedOverItsBudgetAndItsChargesAreReleasedByTheReset() {
    // A client that grants no window: every DATA frame waits in the hub's flow controller.
    SubscriberStream stream = open(0, 16 * 1024);
    String data = "x".repeat(1000);
    long s = 0;
    while (!stream.phase().isClosed() && s < 100) {
      home.dispatch(delivery(++s, data));
      server.runPendingTasks();
    }
    exchange();

    assertThat(counters.droppedSlowCount()).isEqualTo(1);
    // (1,017 bytes of event + 256 of overhead) per write; the retry hint's write is held too.
    assertThat(counters.deliveryCount()).isBetween(10L, 13L);
    assertThat(serverStreams.get(0).isActive()).isFalse();
    assertThat(server.isActive()).as("only the stream is reset, not the connection").isTrue();
    assertThat(home.budgetShare().value()).as("each held write's promise gave its charge back").isZero();
    assertThat(body).as("nothing could be sent").isEmpty();
  }

  private static FanOutSettings fanOutSettings(HubConfig config) {
    return new FanOutSettings(config.maxQueuedBytesTotal(), config.maxQueuedBytesPerConnection(),
        config.heartbeat(), config.dispatchTimeout());
  }
}
