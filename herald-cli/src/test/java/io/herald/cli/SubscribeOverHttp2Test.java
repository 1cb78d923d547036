package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.client.Event;
import io.herald.client.EventSource;
import io.herald.client.EventSourceListener;
import io.herald.client.HubClient;
import io.herald.client.Publication;
import io.herald.hub.HubFixture;
import io.herald.hub.HubServer;
import io.herald.hub.SelfSignedCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client over HTTP/2 (TLS + ALPN) against the real hub: two event sources multiplexed on one
 * connection, and closing one releases its stream (the hub sees the subscriber leave) while the
 * other keeps receiving. The certificate is made by the {@code openssl} CLI (scripts/test.sh
 * installs it); never skipped.
 */
class SubscribeOverHttp2Test {
  static final Duration SAFETY = Duration.ofSeconds(20);

  @TempDir Path dir;
  private HubFixture fixture;
  private HubServer hub;
  private HttpClient h2;
  private URI hubUrl;

  @BeforeEach
  void start() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
    fixture = new HubFixture(b -> b.anonymous(true).tls(cert.cert(), cert.key()));
    hub = fixture.hub;
    hubUrl = URI.create("https://127.0.0.1:" + hub.port() + "/.well-known/mercure");
    h2 =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .sslContext(cert.sslContext())
            .connectTimeout(SAFETY)
            .build();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  /** Records events and the negotiated protocol. */
  static final class Recorder implements EventSourceListener {
    final List<Event> events = new CopyOnWriteArrayList<>();
    volatile HttpClient.Version version;

    @Override
    public void onOpen(EventSource source, HttpResponse<Void> response) {
      version = response.version();
    }

    @Override
    public void onEvent(EventSource source, Event event) {
      events.add(event);
    }
  }

  private static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + SAFETY.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  @Test
  void twoSourcesShareAnHttp2ConnectionAndClosingOneReleasesOnlyItsStream() throws Exception {
    HubClient client =
        HubClient.builder(hubUrl)
            .httpClient(h2)
            .publisherToken(HubFixture.publisherToken())
            .build();
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    EventSource sourceA = client.subscribe("h2/topic").listener(a).connect();
    EventSource sourceB = client.subscribe("h2/topic").listener(b).connect();
    await("both open", () -> a.version != null && b.version != null);
    assertThat(a.version).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(b.version).isEqualTo(HttpClient.Version.HTTP_2);
    await("hub sees two subscribers", () -> hub.subscriberCounters().connectedCount() == 2);

    String first = client.publish(Publication.builder("h2/topic").data("to both").build());
    await("both received", () -> a.events.size() == 1 && b.events.size() == 1);
    assertThat(a.events.get(0).id()).isEqualTo(first);

    sourceA.close();
    await("hub sees one subscriber", () -> hub.subscriberCounters().connectedCount() == 1);
    String second = client.publish(Publication.builder("h2/topic").data("to b").build());
    await("b received", () -> b.events.size() == 2);
    assertThat(b.events.get(1).id()).isEqualTo(second);
    assertThat(a.events).hasSize(1);
    sourceB.close();
    await("hub sees none", () -> hub.subscriberCounters().connectedCount() == 0);
  }
}
