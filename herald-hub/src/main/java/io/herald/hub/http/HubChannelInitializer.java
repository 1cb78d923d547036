package io.herald.hub.http;

import io.herald.hub.HubConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;

/**
 * Builds each connection's pipeline.
 *
 * <p>Plain port: HTTP/1.1, plus HTTP/2 cleartext both by prior knowledge (the connection starts
 * with the HTTP/2 preface) and by {@code Upgrade: h2c}. TLS port: ALPN picks {@code h2} or
 * {@code http/1.1}. HTTP/2 matters for browsers: they open at most six HTTP/1.1 connections per
 * origin, so a page with a seventh EventSource would stall; over HTTP/2 each stream is cheap.
 *
 * <p>Whatever the protocol, requests end up as {@code FullHttpRequest}s in the same {@link
 * HubRouter}: on HTTP/2 each stream is a child channel with an HTTP/1-style codec of its own.
 */
public final class HubChannelInitializer extends ChannelInitializer<SocketChannel> {
  /** Enough for a subscribe request's upgrade; a publish with a body arrives after the upgrade. */
  private static final int UPGRADE_MAX_BYTES = 64 * 1024;

  private final HubConfig config;
  private final HubRouter router;
  private final SslContext ssl;

  public HubChannelInitializer(HubConfig config, HubRouter router, SslContext ssl) {
    this.config = config;
    this.router = router;
    this.ssl = ssl;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    if (ssl != null) {
      p.addLast(ssl.newHandler(ch.alloc()));
      p.addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
          if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            ctx.pipeline().addLast(http2FrameCodec(), http2Multiplexer());
          } else {
            addHttp1(ctx.pipeline(), newHttp1Codec());
          }
        }
      });
      return;
    }
    HttpServerCodec codec = newHttp1Codec();
    HttpServerUpgradeHandler.UpgradeCodecFactory upgrades = protocol ->
        AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
            ? new Http2ServerUpgradeCodec(http2FrameCodec(), http2Multiplexer())
            : null;
    HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec, upgrades, UPGRADE_MAX_BYTES);
    p.addLast(new CleartextHttp2ServerUpgradeHandler(codec, upgrade, new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel c) {
        c.pipeline().addLast(http2FrameCodec(), http2Multiplexer());
      }
    }));
    // Runs after the codec and the upgrade handler that the cleartext handler installs; removed
    // from the path (as they are) if the connection turns out to be HTTP/2.
    p.addLast(new MalformedRequestGuard(), new BodyLimit(config.maxBodyBytes()), router);
  }

  private HttpServerCodec newHttp1Codec() {
    return new HttpServerCodec(config.maxUriBytes(), config.maxHeaderBytes(), 8192);
  }

  private void addHttp1(ChannelPipeline p, HttpServerCodec codec) {
    p.addLast(codec, new MalformedRequestGuard(), new BodyLimit(config.maxBodyBytes()), router);
  }

  private Http2FrameCodec http2FrameCodec() {
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(Http2Settings.defaultSettings()
            .maxConcurrentStreams(config.maxStreamsPerConnection())
            .maxHeaderListSize(config.maxHeaderBytes() + (long) config.maxUriBytes()))
        .build();
  }

  private ChannelHandler http2Multiplexer() {
    return new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        stream.pipeline().addLast(
            new Http2StreamFrameToHttpObjectCodec(true),
            new MalformedRequestGuard(),
            new BodyLimit(config.maxBodyBytes()),
            router);
      }
    });
  }
}
