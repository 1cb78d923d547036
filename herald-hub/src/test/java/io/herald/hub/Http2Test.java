package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP/2 cleartext: by upgrade (JDK client) and by prior knowledge (Netty client), many streams. */
class Http2Test {
  HubFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void subscribeOverH2cUpgrade() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    // The JDK client upgrades on its first request to an origin; the hub answers it on stream 1.
    try (SseStream s = SseStream.open(h2, f.subscribeUri("t"))) {
      assertThat(s.status()).isEqualTo(200);
      assertThat(s.response.version()).isEqualTo(HttpClient.Version.HTTP_2);
      String id = f.publishOk("topic", "t", "data", "over h2");
      assertThat(s.nextData()).extracting(SseStream.Event::id, SseStream.Event::data)
          .containsExactly(id, "over h2");
      // A second stream on the same (now HTTP/2) connection.
      try (SseStream second = SseStream.open(h2, f.subscribeUri("t"))) {
        assertThat(second.response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        String id2 = f.publishOk("topic", "t", "data", "again");
        assertThat(second.nextData().id()).isEqualTo(id2);
        assertThat(s.nextData().id()).isEqualTo(id2);
      }
    }
  }

  @Test
  void tenStreamsOnOnePriorKnowledgeConnection() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel connection = new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(
                  Http2FrameCodecBuilder.forClient().build(),
                  new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {}
                  }));
            }
          })
          .connect("127.0.0.1", f.port()).sync().channel();

      // More streams than the six HTTP/1.1 connections a browser allows per origin.
      List<StreamCollector> streams = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        StreamCollector c = new StreamCollector();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
            .handler(new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), c);
              }
            })
            .open().sync().getNow();
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, "/.well-known/mercure?topic=t");
        req.headers().set("host", "127.0.0.1:" + f.port()).set("x-http2-scheme", "http");
        stream.writeAndFlush(req).sync();
        streams.add(c);
      }
      for (StreamCollector c : streams) {
        assertThat(c.status.get(10, TimeUnit.SECONDS)).isEqualTo(200);
      }
      String id = f.publishOk("topic", "t", "data", "to all ten");
      for (StreamCollector c : streams) {
        assertThat(c.await("id: " + id + "\ndata: to all ten\n\n")).isTrue();
      }
      connection.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
