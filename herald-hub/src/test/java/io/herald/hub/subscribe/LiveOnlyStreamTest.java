package io.herald.hub.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.auth.Authorization;
import io.herald.core.history.MemoryHistory;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.transport.HistoryTransport;
import io.herald.core.update.Update;
import io.herald.core.update.UpdateRules;
import io.herald.hub.http.Cors;
import io.herald.hub.http.Query;
import io.herald.hub.limits.LimitSettings;
import io.herald.hub.limits.RequestLimits;
import io.herald.hub.publish.PublishCounters;
import io.herald.hub.publish.PublishService;
import io.herald.hub.subscriptions.SubscriptionRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A live-only stream (no {@code Last-Event-ID}) gets what is published after it opened, and not
 * an update published before it that had not reached the stream's event loop yet: the orderings
 * a hub meets when a subscriber connects right after a publisher's 200 (the answer goes out
 * before the hand-over to the fan-out, and the fan-out's dispatch task may still be queued). On
 * an {@link EmbeddedChannel} the orderings are exact: its loop runs queued tasks only after the
 * request was read, and the test holds the transport's hand-over itself.
 */
class LiveOnlyStreamTest {
  private static final String TOPIC = "https://example.com/t";

  private final HistoryTransport transport = new HistoryTransport(new MemoryHistory(100));
  private final StringBuilder written = new StringBuilder();
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final FanOut fanOut = new FanOut(channel.eventLoop(), new Authorization(new TopicMatcher()),
      new FanOutSettings(1 << 24, 1 << 24, Duration.ZERO, Duration.ofSeconds(5)), new SubscriberCounters());
  private final SubscribeHandler subscribe = new SubscribeHandler(
      new SubscribeSettings(10, 4096, "mercureAuthorization", null, true, 1 << 22, -1),
      transport, new Authorization(new TopicMatcher()), new Cors(List.of()), fanOut, new SubscriberCounters(),
      Runnable::run,
      new SubscriptionRegistry(false, new PublishService(
          transport, new Authorization(new TopicMatcher()), new UpdateRules(10), new PublishCounters())),
      new RequestLimits(LimitSettings.OFF));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
    transport.close();
  }

  @Test
  void anUpdateHandedOverBeforeTheStreamOpenedIsNotDeliveredLive() {
    channel.pipeline().addLast(new HttpServerCodec(), new SimpleChannelInboundHandler<HttpRequest>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, HttpRequest req) {
        subscribe.handle(ctx, req, Query.params(req.uri()));
      }
    });
    // Published and acknowledged before the subscriber connects: handed to the fan-out, whose
    // dispatch task for this loop is still queued.
    fanOut.onUpdate(update(1, "before"));
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
        "/.well-known/mercure?topic=" + URLEncoder.encode(TOPIC, StandardCharsets.UTF_8)));
    channel.runPendingTasks();
    fanOut.onUpdate(update(2, "after"));
    channel.runPendingTasks();

    String stream = drain();
    assertThat(stream).contains("200 OK").contains("data: after").doesNotContain("data: before");
  }

  @Test
  void anUpdateAnsweredButNotYetHandedOverIsNotDeliveredLive() throws Exception {
    channel.pipeline().addLast(new HttpServerCodec(), new SimpleChannelInboundHandler<HttpRequest>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, HttpRequest req) {
        subscribe.handle(ctx, req, Query.params(req.uri()));
      }
    });
    // The transport answers a publish, then hands it to the fan-out: hold the hand-over, as a
    // busy writer thread would, while the subscriber connects.
    java.util.concurrent.CompletableFuture<Void> handOver = new java.util.concurrent.CompletableFuture<>();
    transport.dispatchTo(u -> {
      handOver.join();
      fanOut.onUpdate(u);
    });
    Update before = transport.publish(new Update("id-b", List.of(TOPIC), "before", null, -1, false, 0))
        .get(5, java.util.concurrent.TimeUnit.SECONDS);
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
        "/.well-known/mercure?topic=" + URLEncoder.encode(TOPIC, StandardCharsets.UTF_8)));
    handOver.complete(null);
    Update after = transport.publish(new Update("id-a", List.of(TOPIC), "after", null, -1, false, 0))
        .get(5, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(after.sequence()).isGreaterThan(before.sequence());
    // The fan-out has both (the second hand-over follows the first on the writer thread).
    for (int i = 0; i < 500 && fanOut.lastReceived() < after.sequence(); i++) {
      Thread.sleep(10);
    }
    channel.runPendingTasks();

    assertThat(drain()).contains("200 OK").contains("data: after").doesNotContain("data: before");
  }

  private static Update update(long sequence, String data) {
    return new Update("id-" + sequence, List.of(TOPIC), data, null, -1, false, sequence);
  }

  private String drain() {
    Object out;
    while ((out = channel.readOutbound()) != null) {
      if (out instanceof ByteBuf b) {
        written.append(b.toString(StandardCharsets.UTF_8));
        b.release();
      }
    }
    return written.toString();
  }
}
