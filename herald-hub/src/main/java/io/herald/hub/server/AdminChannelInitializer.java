package io.herald.hub.server;

import io.herald.hub.http.BodyLimit;
import io.herald.hub.http.MalformedRequestGuard;
import io.herald.hub.http.RequestTimeouts;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Plain HTTP/1.1 pipeline of the admin address: small requests, operator endpoints only.
 *
 * <p>The admin port may be reachable by more than the operator's scraper, so it keeps the hub
 * port's front-door rules that apply without a body: its connections count against the same caps
 * (per address and in total: they spend the same file descriptors), and a connection that does
 * not deliver a complete head within the header timeout is closed (slowloris). Bodies are capped
 * at {@link #MAX_BODY} bytes and timed like the hub port's.
 */
public final class AdminChannelInitializer extends ChannelInitializer<SocketChannel> {
  private static final int MAX_BODY = 4096;
  private final PipelineSettings settings;
  private final AdminRouter router;
  private final FrontDoor door;

  public AdminChannelInitializer(PipelineSettings settings, AdminRouter router, FrontDoor door) {
    this.settings = settings;
    this.router = router;
    this.door = door;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    if (!door.connections().admit(ch)) {
      ch.close();
      return;
    }
    RequestTimeouts timeouts = new RequestTimeouts(settings.headerTimeout(), settings.bodyTimeout(), door.counters());
    ch.pipeline().addLast(
        timeouts.inboundBytes(),
        new HttpServerCodec(settings.maxUriBytes(), settings.maxHeaderBytes(), 8192),
        timeouts,
        new MalformedRequestGuard(),
        new BodyLimit(MAX_BODY),
        router);
  }
}
