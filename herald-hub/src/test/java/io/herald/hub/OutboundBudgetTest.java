package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The budgets of queued outbound bytes (issue 14, finding 3): per connection (the sum over an
 * HTTP/2 connection's streams) and for the whole hub. Stalled streams are HTTP/2 streams of a
 * real Netty client that announced an initial window of 0, so nothing the hub writes to them can
 * leave; healthy ones are streams of a client that reads, and an HTTP/1.1 subscriber.
 */
class OutboundBudgetTest {
  private static final String DATA = "x".repeat(1024);
  private static final Http2Settings ZERO_WINDOW = Http2Settings.defaultSettings().initialWindowSize(0);

  private EventLoopGroup group;
  private HubFixture f;

  @BeforeEach
  void clientThreads() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (f != null) {
      f.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void aConnectionOverItsBudgetLosesItsStreamsAndNoOneElseDoes() throws Exception {
    start(b -> b.maxQueuedBytesPerConnection(128 * 1024).maxQueuedBytesTotal(64L << 20));
    Channel stalled = H2TestClient.connect(group, f.port(), null, ZERO_WINDOW);
    Channel healthy = H2TestClient.connect(group, f.port(), null);
    List<StreamCollector> stalledStreams = openStreams(stalled, 10);
    List<StreamCollector> healthyStreams = openStreams(healthy, 10);
    try (SseStream bystander = f.subscribe(f.subscribeUri("*"))) {
      waitFor(() -> f.hub.subscriberCounters().connectedCount() == 21);
      // 200 updates x (1 KB + overhead) is more than the 128 KiB allowed, even for one stream.
      List<String> ids = publishInStep(200, bystander, healthyStreams);

      for (StreamCollector s : stalledStreams) {
        assertThat(s.closed).as("a stalled stream was reset").succeedsWithin(SseStream.WAIT_SECONDS, TimeUnit.SECONDS);
      }
      assertThat(f.hub.subscriberCounters().droppedBudgetCount()).isEqualTo(10);
      assertThat(f.hub.subscriberCounters().droppedSlowCount()).isZero();
      for (StreamCollector s : healthyStreams) {
        assertThat(s.closed).as("a healthy stream is still open").isNotDone();
      }
      assertThat(stalled.isActive()).as("only the streams were dropped, not the connection").isTrue();
    }
    stalled.close().sync();
    healthy.close().sync();
    waitFor(() -> f.hub.subscriberCounters().connectedCount() == 0);
    waitFor(() -> f.hub.queuedBytes() == 0);
  }

  @Test
  void theHubBudgetDropsStalledStreamsWhileOthersKeepReceiving() throws Exception {
    long max = 128 * 1024;
    // Each connection may hold as much as the whole hub: the hub's budget is the one that binds.
    start(b -> b.maxQueuedBytesTotal(max).maxQueuedBytesPerConnection(max));
    List<Channel> stalled = new ArrayList<>();
    List<StreamCollector> stalledStreams = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Channel c = H2TestClient.connect(group, f.port(), null, ZERO_WINDOW);
      stalled.add(c);
      stalledStreams.addAll(openStreams(c, 5));
    }
    Channel healthy = H2TestClient.connect(group, f.port(), null);
    List<StreamCollector> healthyStreams = openStreams(healthy, 5);
    try (SseStream bystander = f.subscribe(f.subscribeUri("*"))) {
      waitFor(() -> f.hub.subscriberCounters().connectedCount() == 26);
      long highest = 0;
      for (int i = 0; i < 200; i++) {
        publishInStep(1, bystander, healthyStreams);
        highest = Math.max(highest, f.hub.queuedBytes());
      }
      // Two event loops check and charge without a lock between them: one write each over, at most.
      assertThat(highest).as("queued bytes seen").isLessThanOrEqualTo(max + 2 * 4096);

      for (StreamCollector s : stalledStreams) {
        assertThat(s.closed).as("a stalled stream was reset").succeedsWithin(SseStream.WAIT_SECONDS, TimeUnit.SECONDS);
      }
      assertThat(f.hub.subscriberCounters().droppedBudgetCount()).isEqualTo(20);
      for (StreamCollector s : healthyStreams) {
        assertThat(s.closed).as("a healthy stream is still open").isNotDone();
      }
    }
    for (Channel c : stalled) {
      c.close().sync();
    }
    healthy.close().sync();
    waitFor(() -> f.hub.subscriberCounters().connectedCount() == 0);
    waitFor(() -> f.hub.queuedBytes() == 0);
  }

  @Test
  void whatAStalledConnectionHeldIsReleasedWhenItCloses() throws Exception {
    start(b -> b.maxQueuedBytesPerConnection(16L << 20).maxQueuedBytesTotal(64L << 20));
    Channel stalled = H2TestClient.connect(group, f.port(), null, ZERO_WINDOW);
    openStreams(stalled, 20);
    waitFor(() -> f.hub.subscriberCounters().connectedCount() == 20);
    publish(20);
    // 20 streams x 20 updates wait in the hub, well under the budgets: nobody is dropped.
    waitFor(() -> f.hub.queuedBytes() > 20L * 20 * DATA.length());
    assertThat(f.hub.subscriberCounters().droppedBudgetCount()).isZero();

    stalled.close().sync();
    waitFor(() -> f.hub.subscriberCounters().connectedCount() == 0);
    waitFor(() -> f.hub.queuedBytes() == 0);
  }

  /**
   * A client that grants large windows and then reads nothing at all: the hub's socket to it
   * fills, its streams are dropped but their resets cannot leave, so the data queued for them
   * would stay charged for as long as the connection lives. The connection itself is closed once
   * its socket stayed unwritable past the dispatch timeout, and the charge goes back to zero.
   */
  @Test
  void aConnectionThatReadsNothingIsClosedAndItsChargeReleased() throws Exception {
    start(b -> b.dispatchTimeout(java.time.Duration.ofSeconds(1))
        .maxQueuedBytesPerConnection(256L << 20).maxQueuedBytesTotal(512L << 20));
    Channel deaf = H2TestClient.connect(group, f.port(), null,
        Http2Settings.defaultSettings().initialWindowSize(16 << 20));
    deaf.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame(64 << 20)).sync();
    openStreams(deaf, 4);
    waitFor(() -> f.hub.subscriberCounters().connectedCount() == 4);
    deaf.config().setAutoRead(false);
    // 4 streams x 200 x 32 KB: far more than the socket buffers between the two can hold.
    String big = "y".repeat(32 * 1024);
    for (int i = 0; i < 200; i++) {
      f.publishOk("topic", "big", "data", big);
    }
    waitFor(() -> f.hub.subscriberCounters().connectedCount() == 0);
    waitFor(() -> f.hub.queuedBytes() == 0);
    deaf.close().sync();
  }

  @Test
  void theHundredAndFirstConcurrentStreamIsRefused() throws Exception {
    start(b -> {});
    assertThat(f.config.maxStreamsPerConnection()).isEqualTo(100);
    Channel connection = H2TestClient.connect(group, f.port(), null);
    List<StreamCollector> streams = openStreams(connection, 100);

    StreamCollector refused = open(connection);
    assertThat(refused.sent.await(SseStream.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(refused.sent.isSuccess()).isFalse();
    assertThat(refused.sent.cause()).hasMessageContaining("Maximum active streams violated for this endpoint: 100");

    // Concurrent streams, not streams ever: one closes, another may open.
    streams.get(0).channel.close().sync();
    waitFor(() -> f.hub.subscriberCounters().connectedCount() == 99);
    StreamCollector next = open(connection);
    assertThat(next.status.get(SseStream.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(200);
    connection.close().sync();
  }

  private void start(Consumer<HubConfig.Builder> budgets) throws Exception {
    f = new HubFixture(b -> {
      b.anonymous(true);
      budgets.accept(b);
    });
  }

  private List<StreamCollector> openStreams(Channel connection, int n) throws Exception {
    List<StreamCollector> streams = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      streams.add(open(connection));
    }
    for (StreamCollector s : streams) {
      assertThat(s.status.get(SseStream.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(200);
    }
    return streams;
  }

  private StreamCollector open(Channel connection) throws InterruptedException {
    DefaultFullHttpRequest req = new DefaultFullHttpRequest(
        HttpVersion.HTTP_1_1, HttpMethod.GET, "/.well-known/mercure?topic=*");
    req.headers().set("host", "127.0.0.1:" + f.port()).set("x-http2-scheme", "http");
    return H2TestClient.open(connection, req);
  }

  /**
   * Publishes {@code n} updates, each once the previous one reached the readers: they keep up by
   * construction, whatever the machine's load, and must get every update.
   */
  private List<String> publishInStep(int n, SseStream bystander, List<StreamCollector> healthy) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = f.publishOk("topic", "t/" + i, "data", DATA);
      ids.add(id);
      assertThat(bystander.nextData().id()).isEqualTo(id);
      for (StreamCollector s : healthy) {
        assertThat(s.await("id: " + id + "\n")).as("a healthy stream got update %d", i).isTrue();
      }
    }
    return ids;
  }

  private List<String> publish(int n) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(f.publishOk("topic", "t/" + i, "data", DATA));
    }
    return ids;
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SseStream.WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within " + SseStream.WAIT_SECONDS + "s");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
