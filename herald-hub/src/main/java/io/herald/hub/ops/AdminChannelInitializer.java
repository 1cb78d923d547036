package io.herald.hub.ops;

import io.herald.hub.HubConfig;
import io.herald.hub.http.BodyLimit;
import io.herald.hub.http.MalformedRequestGuard;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

/** Plain HTTP/1.1 pipeline of the admin address: small requests, operator endpoints only. */
public final class AdminChannelInitializer extends ChannelInitializer<SocketChannel> {
  private static final int MAX_BODY = 4096;
  private final HubConfig config;
  private final AdminRouter router;

  public AdminChannelInitializer(HubConfig config, AdminRouter router) {
    this.config = config;
    this.router = router;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline().addLast(
        new HttpServerCodec(config.maxUriBytes(), config.maxHeaderBytes(), 8192),
        new MalformedRequestGuard(),
        new BodyLimit(MAX_BODY),
        router);
  }
}
