package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.sse.SseParser;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A resume storm: many subscribers reconnect at once with {@code Last-Event-ID: earliest}; every
 * one gets the whole history in order, then the live stream, and none is dropped.
 */
class ResumeStormTest {
  private static final int SUBSCRIBERS = 1500;
  private static final int UPDATES = 300;

  /** One storm client: parses its stream with the project's own parser and checks the order. */
  static final class Client extends ChannelInboundHandlerAdapter {
    final AtomicInteger received = new AtomicInteger();
    volatile String error;
    private final SseParser parser = new SseParser(e -> {
      int n = received.getAndIncrement();
      String expected = n < UPDATES ? "u" + n : "live";
      if (!expected.equals(e.id()) && error == null) {
        error = "event " + n + " was " + e.id() + ", expected " + expected;
      }
    });

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpContent c) {
          ByteBuf b = c.content();
          parser.feed(b.nioBuffer());
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  @Test
  void everyResumingSubscriberGetsEverythingInOrder() throws Exception {
    // Every client is on 127.0.0.1: more of them than the per-address cap allows by default.
    try (HubFixture f = new HubFixture(b -> b.anonymous(true).maxConnectionsPerAddress(0))) {
      String data = "d".repeat(512);
      for (int i = 0; i < UPDATES; i++) {
        f.publishOk("topic", "storm", "id", "u" + i, "data", data);
      }
      EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      List<Client> clients = new ArrayList<>();
      try {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class);
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
          Client client = new Client();
          clients.add(client);
          Channel ch = b.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
              c.pipeline().addLast(new HttpClientCodec(), client);
            }
          }).connect("127.0.0.1", f.port()).sync().channel();
          channels.add(ch);
        }
        // All at once: every request goes out before any answer is read.
        for (Channel ch : channels) {
          DefaultFullHttpRequest req = new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1, HttpMethod.GET, "/.well-known/mercure?topic=storm", Unpooled.EMPTY_BUFFER);
          req.headers().set("Host", "127.0.0.1").set("Last-Event-ID", "earliest");
          ch.writeAndFlush(req);
        }
        awaitAll(clients, UPDATES);
        f.publishOk("topic", "storm", "id", "live", "data", "after the storm");
        awaitAll(clients, UPDATES + 1);
        for (Client c : clients) {
          assertThat(c.error).isNull();
        }
        assertThat(f.hub.subscriberCounters().droppedSlowCount()).isZero();
        assertThat(f.hub.subscriberCounters().replayedCount()).isEqualTo((long) SUBSCRIBERS * UPDATES);
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }
    }
  }

  private static void awaitAll(List<Client> clients, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (Client c : clients) {
      while (c.received.get() < count && c.error == null) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("a subscriber got " + c.received.get() + " of " + count + " events");
        }
        TimeUnit.MILLISECONDS.sleep(10);
      }
      assertThat(c.error).isNull();
      assertThat(c.received.get()).isEqualTo(count);
    }
  }
}
