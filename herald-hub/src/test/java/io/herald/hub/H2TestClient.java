package io.herald.hub;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslContext;

/**
 * Netty's HTTP/2 client, for what tests cannot do with the JDK's: many streams on one chosen
 * connection, and requests the hub answers before their body is sent.
 */
final class H2TestClient {
  private H2TestClient() {}

  /** One HTTP/2 connection to the hub on loopback: h2c by prior knowledge, or h2 over TLS with {@code ssl}. */
  static Channel connect(EventLoopGroup group, int port, SslContext ssl) throws InterruptedException {
    return connect(group, port, ssl, Http2Settings.defaultSettings());
  }

  /**
   * As {@link #connect(EventLoopGroup, int, SslContext)}, announcing {@code settings} (e.g. an
   * initial window of 0: a client that takes nothing).
   */
  static Channel connect(EventLoopGroup group, int port, SslContext ssl, Http2Settings settings)
      throws InterruptedException {
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (ssl != null) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port));
            }
            ch.pipeline().addLast(
                Http2FrameCodecBuilder.forClient().initialSettings(settings).build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
          }
        })
        .connect("127.0.0.1", port).sync().channel();
  }

  /**
   * Opens a stream on {@code connection} and sends {@code req} on it. Not awaited: the hub may
   * answer (and reset the stream) before a large body is all sent.
   */
  static StreamCollector open(Channel connection, FullHttpRequest req) throws InterruptedException {
    StreamCollector c = new StreamCollector();
    Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
        .handler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), c);
          }
        })
        .open().sync().getNow();
    c.channel = stream;
    c.sent = stream.writeAndFlush(req);
    return c;
  }
}
