package io.herald.hub.server;

import io.herald.hub.http.BodyLimit;
import io.herald.hub.http.HostHeaderRule;
import io.herald.hub.http.Http2IdleClose;
import io.herald.hub.http.MalformedRequestGuard;
import io.herald.hub.http.RequestTimeouts;
import io.herald.hub.publish.PublishIntake;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequest;
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
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import java.time.Duration;

/**
 * Builds each connection's pipeline.
 *
 * <p>Plain port: HTTP/1.1, plus HTTP/2 cleartext both by prior knowledge (the connection starts
 * with the HTTP/2 preface) and by {@code Upgrade: h2c}. TLS port: ALPN picks {@code h2} or
 * {@code http/1.1}. HTTP/2 matters for browsers: they open at most six HTTP/1.1 connections per
 * origin, so a page with a seventh EventSource would stall; over HTTP/2 each stream is cheap.
 *
 * <p>Whatever the protocol, a request takes one straight way, each package once: the front door's
 * generic steps ({@code http/}: timeouts, malformed requests, the Host rule), then the {@link
 * HubRouter}, which routes it from its head ({@code server/}); a publish goes on to the publish
 * intake ({@code publish/}, see {@link PublishIntake}), every other request is completed without
 * its body and answered by {@link Endpoints}. On HTTP/2 each stream is a child channel with an
 * HTTP/1-style codec and the same steps of its own.
 */
public final class HubChannelInitializer extends ChannelInitializer<SocketChannel> {
  /** Enough for a subscribe request's upgrade; a publish with a body arrives after the upgrade. */
  private static final int UPGRADE_MAX_BYTES = 64 * 1024;

  private final PipelineSettings settings;
  private final Endpoints endpoints;
  private final SslContext ssl;
  private final FrontDoor door;

  public HubChannelInitializer(PipelineSettings settings, Endpoints endpoints, SslContext ssl, FrontDoor door) {
    this.settings = settings;
    this.endpoints = endpoints;
    this.ssl = ssl;
    this.door = door;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    if (!door.connections().admit(ch)) {
      ch.close(); // over a connection cap: nothing is read from it
      return;
    }
    ChannelPipeline p = ch.pipeline();
    if (ssl != null) {
      SslHandler tls = ssl.newHandler(ch.alloc());
      if (!settings.headerTimeout().isZero()) {
        tls.setHandshakeTimeoutMillis(settings.headerTimeout().toMillis()); // slow handshakes too
      }
      p.addLast(tls);
      p.addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
          if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            addHttp2(ctx.pipeline());
          } else {
            RequestTimeouts timeouts = timeouts();
            ctx.pipeline().addLast(timeouts.inboundBytes(), newHttp1Codec(), timeouts);
            addHttp1Handlers(ctx.pipeline());
          }
        }
      });
      return;
    }
    HttpServerCodec codec = newHttp1Codec();
    HttpServerUpgradeHandler.UpgradeCodecFactory upgrades = protocol -> {
      if (!AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)) {
        return null;
      }
      Http2FrameCodec frames = http2FrameCodec();
      return new Http2ServerUpgradeCodec(frames, http2Idle(frames), http2Multiplexer());
    };
    HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec, upgrades, UPGRADE_MAX_BYTES) {
      /**
       * An upgrade request with a body is served as plain HTTP/1.1 (RFC 9110 lets a server ignore
       * Upgrade): upgrading would mean buffering the body here, before the publish gate.
       */
      @Override
      protected boolean shouldHandleUpgradeRequest(HttpRequest req) {
        return !BodyLimit.announcesBody(req) && super.shouldHandleUpgradeRequest(req);
      }
    };
    RequestTimeouts timeouts = timeouts();
    p.addLast(timeouts.inboundBytes());
    p.addLast(new CleartextHttp2ServerUpgradeHandler(codec, upgrade, new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel c) {
        addHttp2(c.pipeline());
      }
    }));
    // Runs after the codec and the upgrade handler that the cleartext handler installs; removed
    // from the path (as they are) if the connection turns out to be HTTP/2.
    p.addLast(timeouts);
    addHttp1Handlers(p);
  }

  private HttpServerCodec newHttp1Codec() {
    return new HttpServerCodec(settings.maxUriBytes(), settings.maxHeaderBytes(), 8192);
  }

  private RequestTimeouts timeouts() {
    return new RequestTimeouts(settings.headerTimeout(), settings.bodyTimeout(), door.counters());
  }

  /** What follows the HTTP/1.1 codec and {@link RequestTimeouts}: one step each, body last. */
  private void addHttp1Handlers(ChannelPipeline p) {
    p.addLast(new MalformedRequestGuard(), new HostHeaderRule(), router());
    door.publish().addTo(p);
  }

  private HubRouter router() {
    return new HubRouter(endpoints, settings.maxBodyBytes());
  }

  private void addHttp2(ChannelPipeline p) {
    Http2FrameCodec frames = http2FrameCodec();
    p.addLast(frames, http2Idle(frames), http2Multiplexer());
  }

  private Http2IdleClose http2Idle(Http2FrameCodec frames) {
    return new Http2IdleClose(frames, settings.headerTimeout(), door.counters());
  }

  private Http2FrameCodec http2FrameCodec() {
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(Http2Settings.defaultSettings()
            .maxConcurrentStreams(settings.maxStreamsPerConnection())
            .maxHeaderListSize(settings.maxHeaderBytes() + (long) settings.maxUriBytes()))
        .build();
  }

  private ChannelHandler http2Multiplexer() {
    return new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        stream.pipeline().addLast(
            new Http2StreamFrameToHttpObjectCodec(true),
            new RequestTimeouts(Duration.ZERO, settings.bodyTimeout(), door.counters()),
            new MalformedRequestGuard(),
            router());
        door.publish().addTo(stream.pipeline());
      }
    });
  }
}
