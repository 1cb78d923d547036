package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP/2 cleartext: by upgrade (JDK client) and by prior knowledge (Netty client), many streams. */
class Http2Test {
  HubFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void subscribeOverH2cUpgrade() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    // The JDK client upgrades on its first request to an origin; the hub answers it on stream 1.
    try (SseStream s = SseStream.open(h2, f.subscribeUri("t"))) {
      assertThat(s.status()).isEqualTo(200);
      assertThat(s.response.version()).isEqualTo(HttpClient.Version.HTTP_2);
      String id = f.publishOk("topic", "t", "data", "over h2");
      assertThat(s.nextData()).extracting(SseStream.Event::id, SseStream.Event::data)
          .containsExactly(id, "over h2");
      // A second stream on the same (now HTTP/2) connection.
      try (SseStream second = SseStream.open(h2, f.subscribeUri("t"))) {
        assertThat(second.response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        String id2 = f.publishOk("topic", "t", "data", "again");
        assertThat(second.nextData().id()).isEqualTo(id2);
        assertThat(s.nextData().id()).isEqualTo(id2);
      }
    }
  }

  @Test
  void tenStreamsOnOnePriorKnowledgeConnection() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel connection = H2TestClient.connect(group, f.port(), null);

      // More streams than the six HTTP/1.1 connections a browser allows per origin.
      List<StreamCollector> streams = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, "/.well-known/mercure?topic=t");
        req.headers().set("host", "127.0.0.1:" + f.port()).set("x-http2-scheme", "http");
        StreamCollector c = H2TestClient.open(connection, req);
        streams.add(c);
      }
      for (StreamCollector c : streams) {
        assertThat(c.status.get(10, TimeUnit.SECONDS)).isEqualTo(200);
      }
      String id = f.publishOk("topic", "t", "data", "to all ten");
      for (StreamCollector c : streams) {
        assertThat(c.await("id: " + id + "\ndata: to all ten\n\n")).isTrue();
      }
      connection.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
