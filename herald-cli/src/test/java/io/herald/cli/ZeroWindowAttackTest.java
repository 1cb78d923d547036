package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.cli.ServeProcessTest.Herald;
import io.herald.cli.ServeProcessTest.Sse;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, finding 3: HTTP/2 clients that announce {@code SETTINGS_INITIAL_WINDOW_SIZE=0} and
 * open as many streams on {@code *} as the hub lets them take nothing, so every update published
 * waits in the hub for each of their streams. Before the queued-bytes budgets, 4 such
 * connections with 1,000 streams each ran a hub with a 96 MB heap out of memory within a few
 * hundred 1 KB updates. Now the hub stays up: the zero-window streams are dropped (reset, to
 * resume from history), a bystander receives every update and publishes keep getting 200.
 *
 * <p>The hub runs as its own process with a small heap and direct memory, and exits on an
 * OutOfMemoryError, so "it died" is seen as the process ending. Timeouts are safety nets only.
 */
class ZeroWindowAttackTest {
  private static final long WAIT_SECONDS = 60;
  private static final int CONNECTIONS = 4;
  /** What the attacker asks for per connection (the hub used to allow 1,000). */
  private static final int STREAMS_WANTED = 1000;
  private static final int UPDATES = 2000;
  private static final int PUBLISHERS = 8;
  private static final String DATA = "x".repeat(1024);

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  @Test
  void zeroWindowStreamsAreDroppedAndTheHubKeepsServing() throws Exception {
    List<String> jvm = List.of("-Xmx96m", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    // A dispatch timeout that does not come to the rescue: it bounds how long a stream may stall,
    // not how much the stalled streams hold together (a fast publisher fills the heap well within
    // the default 5 s). The budgets must hold whatever it is.
    try (Herald hub = Herald.serve(dir, Map.of(), jvm,
        "--anonymous", "--history", "memory", "--dispatch-timeout", "60s")) {
      URI hubUrl = URI.create(hub.hubUrl);
      Attack attack = new Attack();
      List<Channel> connections = new ArrayList<>();
      for (int i = 0; i < CONNECTIONS; i++) {
        connections.add(attack.connect(group, hub.port));
      }
      for (Channel c : connections) {
        attack.openStreams(c, hub.port, STREAMS_WANTED);
      }
      int opened = attack.awaitOpened();
      assertThat(opened).as("zero-window streams answered 200").isGreaterThan(0);

      try (Sse bystander = Sse.open(http, URI.create(hub.hubUrl + "?topic=*"), Map.of())) {
        assertThat(bystander.status()).as(bystander.describe()).isEqualTo(200);
        // Several publishers at once, as fast as the hub answers: faster than the dispatch timeout
        // would drop the stalled streams one by one.
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ExecutorService publishers = java.util.concurrent.Executors.newFixedThreadPool(PUBLISHERS);
        List<java.util.concurrent.Future<?>> runs = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
          int publisher = p;
          runs.add(publishers.submit(() -> {
            for (int i = 0; i < UPDATES / PUBLISHERS && hub.process.isAlive(); i++) {
              ids.add(publish(hub, hubUrl, "attack/" + publisher));
            }
            return null;
          }));
        }
        publishers.shutdown();
        List<Throwable> failures = new ArrayList<>();
        for (java.util.concurrent.Future<?> run : runs) {
          try {
            run.get(5, TimeUnit.MINUTES);
          } catch (java.util.concurrent.ExecutionException e) {
            failures.add(e.getCause());
          }
        }
        assertThat(hub.process.isAlive())
            .as("the hub is still running after %d updates to %d zero-window streams (%s); stderr:%n%s",
                ids.size(), opened, hub.process.isAlive() ? "alive" : "exit " + hub.process.exitValue(),
                tail(hub.stderr))
            .isTrue();
        assertThat(failures).as("publishes during the attack").isEmpty();
        String last = publish(hub, hubUrl, "after/attack");
        ids.add(last);

        Set<String> received = new HashSet<>();
        while (received.size() < ids.size()) {
          received.add(bystander.nextData().id());
        }
        assertThat(received).as("the bystander got every update").containsExactlyInAnyOrderElementsOf(ids);

        assertThat(attack.awaitAllClosed()).as("every zero-window stream was dropped").isEqualTo(opened);
        String metrics = get(URI.create("http://127.0.0.1:" + hub.port + "/metrics"));
        assertThat(droppedForBudget(metrics)).as("dropped for budget in /metrics").isPositive();
        assertThat(hub.process.isAlive()).isTrue();
      } finally {
        for (Channel c : connections) {
          c.close();
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private String publish(Herald hub, URI hubUrl, String topic) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(hubUrl)
        .timeout(Duration.ofSeconds(WAIT_SECONDS))
        .header("Authorization", "Bearer " + hub.token)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8)
            + "&data=" + DATA))
        .build();
    java.net.http.HttpResponse<String> res = http.send(req, BodyHandlers.ofString());
    assertThat(res.statusCode()).as("publish: %s", res.body()).isEqualTo(200);
    return res.body().trim();
  }

  private static String tail(Path file) throws java.io.IOException {
    List<String> lines = java.nio.file.Files.readAllLines(file);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  private String get(URI uri) throws Exception {
    java.net.http.HttpResponse<String> res = http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(WAIT_SECONDS)).build(), BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    return res.body();
  }

  private static double droppedForBudget(String metrics) {
    Matcher m = Pattern.compile("(?m)^herald_subscribers_dropped_total\\{[^}]*reason=\"budget\"[^}]*} (\\S+)$")
        .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** The attacker: h2c connections that grant no flow-control window, and their streams on {@code *}. */
  private static final class Attack {
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private int requested;

    Channel connect(EventLoopGroup group, int port) throws InterruptedException {
      return new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(
                  Http2FrameCodecBuilder.forClient()
                      .initialSettings(Http2Settings.defaultSettings().initialWindowSize(0))
                      .build(),
                  new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            }
          })
          .connect("127.0.0.1", port).sync().channel();
    }

    /** Opens up to {@code n} streams; those beyond the hub's SETTINGS_MAX_CONCURRENT_STREAMS fail. */
    void openStreams(Channel connection, int port, int n) throws InterruptedException {
      for (int i = 0; i < n; i++) {
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
            .handler(new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new ChannelInboundHandlerAdapter() {
                  boolean ok;

                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof HttpResponse r && r.status().code() == 200) {
                      ok = true;
                      opened.incrementAndGet();
                    }
                    ReferenceCountUtil.release(msg);
                  }

                  @Override
                  public void channelInactive(ChannelHandlerContext ctx) {
                    if (ok) {
                      closed.incrementAndGet();
                    }
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                  }
                });
              }
            })
            .open().sync().getNow();
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, "/.well-known/mercure?topic=*");
        req.headers().set("host", "127.0.0.1:" + port).set("x-http2-scheme", "http");
        requested++;
        stream.writeAndFlush(req).addListener(f -> {
          if (!f.isSuccess()) {
            refused.incrementAndGet();
          }
        });
      }
    }

    /** Waits until every stream asked for was answered or refused; returns how many were answered. */
    int awaitOpened() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (opened.get() + refused.get() < requested && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
      return opened.get();
    }

    /** Waits until every answered stream was closed by the hub; returns how many were. */
    int awaitAllClosed() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (closed.get() < opened.get() && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
      return closed.get();
    }
  }
}
