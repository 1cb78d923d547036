package io.herald.hub.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.auth.Authorization;
import io.herald.core.auth.Grants;
import io.herald.core.history.History;
import io.herald.core.history.HistoryException;
import io.herald.core.history.MemoryHistory;
import io.herald.core.history.ReplayStart;
import io.herald.core.sse.SseEncoder;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.update.Update;
import io.herald.hub.HubConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The channel side of {@link SubscriberStream} on Netty's {@link EmbeddedChannel}, as Netty tests
 * its own handlers: the server pipeline is the real HTTP codec, and what it writes is read back
 * by a second embedded channel with the real client codec, so the assertions are on the HTTP
 * response and the SSE bytes a client receives. A {@link StalledSocket} at the socket end of the
 * pipeline stands for a client that stops reading: while stalled, flushed writes stay in the
 * channel's outbound buffer, as they do when a socket's send buffer is full.
 */
class SubscriberStreamTest {
  private static final String TOPIC = "https://example.com/books/1";
  private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(15);
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Authorization authorization = new Authorization(new TopicMatcher());
  private final SubscriberCounters counters = new SubscriberCounters();
  private final List<Delivery> made = new ArrayList<>();
  private final StalledSocket socket = new StalledSocket();
  private final List<Throwable> failures = new ArrayList<>();
  private final EmbeddedChannel server = new EmbeddedChannel(socket, new HttpServerCodec(),
      new ChannelInboundHandlerAdapter() {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
          failures.add(cause); // writes failed by the close of a dropped stream, as on a real pipeline's end
        }
      });
  private LoopSubscribers home;

  /** The socket end of the pipeline: while stalled, nothing flushed leaves the outbound buffer. */
  private static final class StalledSocket extends ChannelOutboundHandlerAdapter {
    private ChannelHandlerContext ctx;
    private boolean stalled;
    private boolean owed;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      if (stalled) {
        owed = true;
      } else {
        ctx.flush();
      }
    }

    void stall() {
      stalled = true;
    }

    /** The client reads again: what was flushed meanwhile leaves. */
    void resume() {
      stalled = false;
      if (owed) {
        owed = false;
        ctx.flush();
      }
    }
  }
  private final EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec());

  /** Builds the loop's subscribers for {@link #server}'s event loop, with this stream budget. */
  private LoopSubscribers home(long lastSequence) {
    HubConfig config = HubConfig.builder().anonymous(true).build();
    OutboundBudget budget = new OutboundBudget(config.maxQueuedBytesTotal(), 1);
    home = new LoopSubscribers((EventLoop) server.eventLoop(), authorization, fanOutSettings(config), counters, budget,
        budget.share(0));
    home.initSequence(lastSequence);
    return home;
  }

  /** A stream as {@code SubscribeHandler} opens one: joined, headers and {@code retry:} written. */
  private SubscriberStream open(long lastSequence, long maxQueuedBytes, boolean replaying, HttpVersion version) {
    client.writeOutbound(new DefaultFullHttpRequest(version, HttpMethod.GET, "/.well-known/mercure"));
    ReferenceCountUtil.release(client.readOutbound()); // the request: only there so the codec expects a response
    SubscriberStream stream = new SubscriberStream(server, home(lastSequence), List.of(TOPIC), Grants.ANONYMOUS,
        counters, maxQueuedBytes, replaying);
    stream.open();
    HttpResponse res = new DefaultHttpResponse(version, HttpResponseStatus.OK);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    boolean chunked = version.equals(HttpVersion.HTTP_1_1);
    res.headers().set(chunked ? HttpHeaderNames.TRANSFER_ENCODING : HttpHeaderNames.CONNECTION,
        chunked ? HttpHeaderValues.CHUNKED : HttpHeaderValues.CLOSE);
    server.write(res, server.voidPromise());
    stream.markStarted(chunked);
    stream.writeRaw(Unpooled.wrappedBuffer(SseEncoder.retry(2000)));
    stream.flush();
    return stream;
  }

  private Delivery delivery(long sequence, String data) {
    Update u = new Update("id-" + sequence, List.of(TOPIC), data, null, -1, false, sequence);
    Delivery d = Delivery.of(u, SseEncoder.encode(u));
    made.add(d);
    return d;
  }

  /** Dispatches as {@link FanOut} does: one delivery to the loop, its flush behind it. */
  private void dispatch(Delivery d) {
    home.dispatch(d);
    server.runPendingTasks();
  }

  /** The HTTP the client has received since the last call: the response, then SSE text, then whether it ended. */
  private final StringBuilder body = new StringBuilder();
  private HttpResponse response;
  private boolean ended;

  private String received() {
    ByteBuf out;
    while ((out = server.readOutbound()) != null) {
      client.writeInbound(out);
    }
    Object msg;
    while ((msg = client.readInbound()) != null) {
      if (msg instanceof HttpResponse r) {
        response = r;
      }
      if (msg instanceof HttpContent c) {
        body.append(c.content().toString(StandardCharsets.UTF_8));
        ended |= msg instanceof LastHttpContent;
      }
      ReferenceCountUtil.release(msg);
    }
    return body.toString();
  }

  /** The bytes the server wrote, undecoded (an HTTP/1.0 stream is its raw body). */
  private String rawWritten() {
    StringBuilder raw = new StringBuilder();
    ByteBuf out;
    while ((out = server.readOutbound()) != null) {
      raw.append(out.toString(StandardCharsets.UTF_8));
      out.release();
    }
    return raw.toString();
  }

  /** A history whose reads fail, as a store whose disk went away does. */
  private static final class FailingReads implements History {
    @Override
    public void append(List<Update> batch) {}

    @Override
    public long lastSequence() {
      return 3;
    }

    @Override
    public ReplayStart locate(String lastEventId) {
      return ReplayStart.earliest();
    }

    @Override
    public Update find(String eventId) {
      return null;
    }

    @Override
    public List<Update> read(long afterSequence, long upToSequence, int limit) throws HistoryException {
      throw new HistoryException("disk gone");
    }

    @Override
    public String lastEventId() {
      return null;
    }

    @Override
    public void close() {}
  }

  private static String event(long sequence, String data) {
    return "id: id-" + sequence + "\ndata: " + data + "\n\n";
  }

  @AfterEach
  void everySharedBufferIsBackToItsOneReference() {
    server.finishAndReleaseAll();
    client.finishAndReleaseAll();
    for (Delivery d : made) {
      assertThat(d.chunk().refCnt()).as("references to update %d", d.update().sequence()).isEqualTo(1);
      d.release();
    }
  }

  @Test
  void aLiveStreamWritesTheHeadersRetryThenEachUpdateAsOneEvent() {
    open(0, 1 << 20, false, HttpVersion.HTTP_1_1);
    dispatch(delivery(1, "one"));
    dispatch(delivery(2, "two"));

    assertThat(received()).isEqualTo("retry: 2000\n\n" + event(1, "one") + event(2, "two"));
    assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(response.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).isEqualTo("chunked");
    assertThat(ended).isFalse();
    assertThat(counters.deliveryCount()).isEqualTo(2);
  }

  @Test
  void anHttp10StreamIsTheRawBodyWrittenThroughTheEncoder() {
    open(0, 1 << 20, false, HttpVersion.HTTP_1_0);
    dispatch(delivery(1, "one"));

    String raw = rawWritten();
    assertThat(raw).startsWith("HTTP/1.0 200 OK\r\n").contains("connection: close\r\n");
    assertThat(raw).endsWith("\r\n\r\nretry: 2000\n\n" + event(1, "one"));
  }

  @Test
  void aResumingStreamWritesTheReplayThenTheLiveUpdatesHeldMeanwhileWithNoGapOrDuplicate() throws Exception {
    MemoryHistory history = new MemoryHistory(100);
    List<Update> stored = new ArrayList<>();
    for (long s = 1; s <= 3; s++) {
      stored.add(new Update("id-" + s, List.of(TOPIC), "old " + s, null, -1, false, s));
    }
    history.append(stored);
    SubscriberStream stream = open(3, 1 << 20, true, HttpVersion.HTTP_1_1);
    // Live updates arrive before the replay runs: 3 again (already in history) and 4.
    dispatch(delivery(3, "old 3"));
    dispatch(delivery(4, "new 4"));
    assertThat(received()).as("nothing live while replaying").isEqualTo("retry: 2000\n\n");

    stream.resumeAfter(1);
    int[] ends = new int[1];
    new Replay(stream, history, authorization, Runnable::run, 1, () -> ends[0]++).start();
    server.runPendingTasks();

    assertThat(received()).isEqualTo("retry: 2000\n\n" + event(2, "old 2") + event(3, "old 3") + event(4, "new 4"));
    assertThat(stream.phase().phase()).isEqualTo(ReplayThenLive.Phase.LIVE);
    assertThat(ends[0]).isEqualTo(1);
    assertThat(counters.replayedCount()).isEqualTo(2);

    dispatch(delivery(5, "new 5"));
    assertThat(received()).endsWith(event(4, "new 4") + event(5, "new 5"));
  }

  @Test
  void aReplayOfManyPagesWritesEveryVisibleUpdateInOrderThenGoesLive() throws Exception {
    MemoryHistory history = new MemoryHistory(1000);
    List<Update> stored = new ArrayList<>();
    StringBuilder expected = new StringBuilder("retry: 2000\n\n");
    long last = 3L * Replay.PAGE + 7;
    for (long s = 1; s <= last; s++) {
      // A run of private updates longer than a page: a page with nothing to write reads on at once.
      boolean hidden = s > Replay.PAGE && s <= 2L * Replay.PAGE + 1;
      stored.add(new Update("id-" + s, List.of(TOPIC), "old " + s, null, -1, hidden, s));
      if (!hidden) {
        expected.append(event(s, "old " + s));
      }
    }
    history.append(stored);
    SubscriberStream stream = open(last, 1 << 20, true, HttpVersion.HTTP_1_1);
    dispatch(delivery(last + 1, "new"));

    stream.resumeAfter(0);
    new Replay(stream, history, authorization, Runnable::run, 0, () -> {}).start();
    server.runPendingTasks();

    assertThat(received()).isEqualTo(expected + event(last + 1, "new"));
    assertThat(stream.phase().phase()).isEqualTo(ReplayThenLive.Phase.LIVE);
    assertThat(counters.replayedCount()).isEqualTo(last - (Replay.PAGE + 1));
  }

  @Test
  void aReplayedEventOfferedOnceTheReplayEndedIsReleasedUnwritten() {
    SubscriberStream stream = open(0, 1 << 20, false, HttpVersion.HTTP_1_1);
    ByteBuf late = Unpooled.wrappedBuffer("id: x\ndata: late\n\n".getBytes(StandardCharsets.UTF_8));
    stream.writeReplayed(late);
    stream.flush();
    assertThat(late.refCnt()).isZero();
    assertThat(received()).isEqualTo("retry: 2000\n\n");
  }

  @Test
  void aReplayPageThatFailsClosesTheStreamWithoutGoingLive() {
    History failing = new FailingReads();
    SubscriberStream stream = open(3, 1 << 20, true, HttpVersion.HTTP_1_1);
    Delivery held = delivery(4, "new 4");
    dispatch(held);
    assertThat(held.chunk().refCnt()).as("held while replaying").isEqualTo(2);

    int[] ends = new int[1];
    new Replay(stream, failing, authorization, Runnable::run, 0, () -> ends[0]++).start();
    server.runPendingTasks();

    assertThat(server.isOpen()).isFalse();
    assertThat(received()).isEqualTo("retry: 2000\n\n");
    assertThat(ended).as("cut, not ended: the client retries").isFalse();
    assertThat(stream.phase().isClosed()).isTrue();
    assertThat(ends[0]).isEqualTo(1);
    assertThat(counters.connectedCount()).isZero();
    assertThat(home.budgetShare().value()).as("the held update's charge is returned").isZero();
  }

  @Test
  void sweepWritesAHeartbeatOnAnIdleStreamOnly() {
    SubscriberStream stream = open(0, 1 << 20, false, HttpVersion.HTTP_1_1);
    long now = System.nanoTime();
    stream.sweep(now, HEARTBEAT_NANOS, TIMEOUT_NANOS);
    assertThat(received()).as("written to just now").isEqualTo("retry: 2000\n\n");

    stream.sweep(now + HEARTBEAT_NANOS, HEARTBEAT_NANOS, TIMEOUT_NANOS);
    assertThat(received()).isEqualTo("retry: 2000\n\n" + new String(SseEncoder.heartbeat(), StandardCharsets.UTF_8));

    stream.sweep(now + HEARTBEAT_NANOS, 0, TIMEOUT_NANOS);
    assertThat(received()).as("heartbeats off").isEqualTo("retry: 2000\n\n:\n\n");
  }

  @Test
  void aStreamOverItsQueuedBytesBudgetIsDroppedAndLetsGoOfWhatItQueued() {
    open(0, 4096, false, HttpVersion.HTTP_1_1);
    String data = "x".repeat(1000);
    socket.stall();
    for (long s = 1; s <= 3; s++) {
      dispatch(delivery(s, data));
    }
    assertThat(server.isOpen()).isTrue();
    assertThat(counters.droppedSlowCount()).isZero();

    dispatch(delivery(4, data)); // 4 x (1,024 bytes + 96 per entry) > 4,096

    assertThat(counters.droppedSlowCount()).isEqualTo(1);
    assertThat(server.isOpen()).isFalse();
    assertThat(counters.connectedCount()).isZero();
    assertThat(home.budgetShare().value()).as("the hub's budget gets its bytes back").isZero();
    assertThat(counters.deliveryCount()).isEqualTo(3);
  }

  @Test
  void aStreamUnwritableLongerThanTheDispatchTimeoutIsDroppedAndOneThatRecoversIsNot() {
    server.config().setWriteBufferWaterMark(new WriteBufferWaterMark(512, 1024));
    SubscriberStream stream = open(0, 1 << 20, false, HttpVersion.HTTP_1_1);
    socket.stall();
    dispatch(delivery(1, "x".repeat(2000)));
    assertThat(server.isWritable()).isFalse();
    long since = System.nanoTime();

    stream.sweep(since + TIMEOUT_NANOS / 2, 0, TIMEOUT_NANOS);
    assertThat(server.isOpen()).as("within the timeout").isTrue();

    socket.resume(); // the client reads: the bytes leave, the channel is writable again
    assertThat(server.isWritable()).isTrue();
    stream.sweep(since + 2 * TIMEOUT_NANOS, 0, TIMEOUT_NANOS);
    assertThat(server.isOpen()).as("writable again: the clock restarts").isTrue();

    socket.stall();
    dispatch(delivery(2, "x".repeat(2000)));
    long again = System.nanoTime();
    stream.sweep(again, 0, TIMEOUT_NANOS);
    assertThat(server.isOpen()).isTrue();
    stream.sweep(again + 2 * TIMEOUT_NANOS, 0, TIMEOUT_NANOS);
    server.runPendingTasks();

    assertThat(server.isOpen()).isFalse();
    assertThat(counters.droppedSlowCount()).isEqualTo(1);
    assertThat(home.budgetShare().value()).isZero();
    assertThat(received()).as("what had left before the stall arrived whole")
        .isEqualTo("retry: 2000\n\n" + event(1, "x".repeat(2000)));
  }

  @Test
  void finishWritesRetryEndsTheResponseAndCloses() {
    SubscriberStream stream = open(0, 1 << 20, false, HttpVersion.HTTP_1_1);
    dispatch(delivery(1, "one"));

    stream.finish(500);
    server.runPendingTasks();

    assertThat(received()).isEqualTo("retry: 2000\n\n" + event(1, "one") + "retry: 500\n\n");
    assertThat(ended).isTrue();
    assertThat(server.isOpen()).isFalse();
    assertThat(stream.phase().isClosed()).isTrue();

    dispatch(delivery(2, "late"));
    assertThat(received()).as("nothing after the end").doesNotContain("late");
  }

  @Test
  void finishWhileReplayingEndsTheResponseWithoutRetryAndLetsGoOfTheHeldUpdates() {
    SubscriberStream stream = open(3, 1 << 20, true, HttpVersion.HTTP_1_1);
    dispatch(delivery(4, "held"));

    stream.finish(500);
    server.runPendingTasks();

    assertThat(received()).isEqualTo("retry: 2000\n\n");
    assertThat(ended).isTrue();
    assertThat(server.isOpen()).isFalse();
    assertThat(home.budgetShare().value()).isZero();
  }

  @Test
  void finishWithoutRetryEndsTheResponseOnly() {
    SubscriberStream stream = open(0, 1 << 20, false, HttpVersion.HTTP_1_1);
    stream.finish(-1);
    server.runPendingTasks();
    assertThat(received()).isEqualTo("retry: 2000\n\n");
    assertThat(ended).isTrue();
    assertThat(server.isOpen()).isFalse();
  }

  private static FanOutSettings fanOutSettings(HubConfig config) {
    return new FanOutSettings(config.maxQueuedBytesTotal(), config.maxQueuedBytesPerConnection(),
        config.heartbeat(), config.dispatchTimeout());
  }
}
