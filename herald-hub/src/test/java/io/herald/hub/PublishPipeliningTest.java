package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 pipelining: a publish the hub refuses at once (before the transport) is answered in
 * order with the requests pipelined behind it on the same connection.
 */
class PublishPipeliningTest {
  private HubFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture();
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void aRefusedPublishIsAnsweredBeforeTheRequestPipelinedBehindIt() throws Exception {
    String body = "data=no-topic";
    String publish = "POST /.well-known/mercure HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + HubFixture.publisherToken() + "\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\n"
        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    String health = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    String raw = RawHttp.exchange(f.port(), publish + health);

    assertThat(RawHttp.status(raw)).isEqualTo(400);
    int second = raw.indexOf("HTTP/1.1 ", 1);
    assertThat(second).isPositive();
    assertThat(raw.substring(0, second)).contains("missing \"topic\" parameter");
    assertThat(raw.substring(second)).startsWith("HTTP/1.1 200").contains("ok");
  }
}
