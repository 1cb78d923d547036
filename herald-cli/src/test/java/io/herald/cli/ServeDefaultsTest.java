package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.hub.HubConfig;
import io.herald.hub.auth.JwtVerifier;
import io.herald.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code herald serve} with no flags runs the hub {@link HubConfig} describes: every flag that
 * mirrors a hub setting defaults to that setting's default (taken from {@link HubConfig}'s
 * constants, defined once), and {@code --help} shows it.
 */
class ServeDefaultsTest {
  @Test
  void everyFlagDefaultsToTheHubsDefault() throws Exception {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs();
    HubConfig hub = HubConfig.builder()
        .publisherVerifier(JwtVerifier.create("a-key-that-is-long-enough-for-hs256-signing", "HS256"))
        .build();

    assertThat(Addresses.parse(serve.addr)).isEqualTo(hub.address());
    assertThat(serve.cookieName).isEqualTo(hub.cookieName());
    assertThat(serve.heartbeat).isEqualTo(hub.heartbeat());
    assertThat(serve.dispatchTimeout).isEqualTo(hub.dispatchTimeout());
    assertThat(serve.retry).isEqualTo(hub.retryMillis());
    assertThat(serve.maxBodyBytes).isEqualTo(hub.maxBodyBytes());
    assertThat(serve.maxTopics).isEqualTo(hub.maxTopics());
    assertThat(serve.headerTimeout).isEqualTo(hub.headerTimeout());
    assertThat(serve.bodyTimeout).isEqualTo(hub.bodyTimeout());
    assertThat(serve.maxConnectionsPerAddress).isEqualTo(hub.maxConnectionsPerAddress());
    assertThat(serve.maxTopicBytes).isEqualTo(hub.maxTopicBytes());
    assertThat(serve.matchCacheBytes).isEqualTo(hub.matchCacheBytes());
    assertThat(serve.maxStreamsPerConnection).isEqualTo(hub.maxStreamsPerConnection());
    assertThat(serve.historySize).isEqualTo(StoreOptions.defaults().maxCount());
    assertThat(serve.historyMaxBytes).isEqualTo(StoreOptions.defaults().maxBytes());
    assertThat(serve.historyMaxAge).isEqualTo(StoreOptions.defaults().maxAge());
  }

  @Test
  void helpShowsTheDefaults() {
    StringWriter help = new StringWriter();
    CommandLine cli = new CommandLine(new ServeCommand()).setUsageHelpWidth(400);
    cli.usage(new PrintWriter(help));

    assertThat(help.toString())
        .contains("HOST:PORT to listen on (default :8080)")
        .contains("(default 15s; 0 disables)")
        .contains("Most topics per publish or subscribe (default 100)")
        .contains("(default 4096)")
        .contains("Concurrent HTTP/2 streams per connection (default 100)");
  }
}
