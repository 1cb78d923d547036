package io.herald.cli;

import io.herald.core.history.History;
import io.herald.core.history.HistoryException;
import io.herald.core.history.MemoryHistory;
import io.herald.core.history.NoHistory;
import io.herald.core.transport.HistoryTransport;
import io.herald.core.transport.Transport;
import io.herald.hub.HubConfig;
import io.herald.hub.HubServer;
import io.herald.hub.auth.JwtKeys;
import io.herald.hub.auth.JwtVerifier;
import io.herald.hub.auth.TokenIssuer;
import io.herald.hub.limits.LimitSettings;
import io.herald.store.DurableHistory;
import io.herald.store.FsyncPolicy;
import io.herald.store.StoreOptions;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code herald serve}: runs a hub. With no flags it works at once on port 8080: it makes up a
 * publisher key for the session, prints a token and a {@code curl} line to publish with.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the hub. Every option can also be set in the environment as HERALD_<OPTION>,",
      "e.g. HERALD_PUBLISHER_JWT_KEY; MERCURE_PUBLISHER_JWT_KEY and MERCURE_SUBSCRIBER_JWT_KEY work too."
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--addr", defaultValue = ":" + HubConfig.DEFAULT_PORT, description = "HOST:PORT to listen on (default ${DEFAULT-VALUE}).")
  String addr;

  @Option(names = "--publisher-jwt-key", description = "HMAC secret, or PEM public key (file or text) for --jwt-algorithm RS*/ES*/PS*/EdDSA. Generated for the session when absent.")
  String publisherKey;

  @Option(names = "--subscriber-jwt-key", description = "Key for subscriber tokens (default: the publisher key).")
  String subscriberKey;

  @Option(names = "--jwt-algorithm", defaultValue = "HS256", description = "Pinned JWS algorithm (default ${DEFAULT-VALUE}); 'none' is never accepted.")
  String algorithm;

  @Option(names = "--anonymous", description = "Let subscribers without a token receive public updates.")
  boolean anonymous;

  @Option(names = "--cors-origins", split = ",", description = "Origins allowed to read the hub from a browser (exact origins, or *).")
  List<String> corsOrigins = List.of();

  @Option(names = "--publish-origins", split = ",", description = "Origins allowed to publish with a cookie (CSRF protection).")
  List<String> publishOrigins = List.of();

  @Option(names = "--cookie-name", defaultValue = HubConfig.DEFAULT_COOKIE_NAME, description = "Cookie holding the token (default ${DEFAULT-VALUE}).")
  String cookieName;

  @Option(names = "--heartbeat", defaultValue = HubConfig.DEFAULT_HEARTBEAT_SECONDS + "s", converter = Durations.class, description = "Comment sent on idle streams after this long (default ${DEFAULT-VALUE}; 0 disables).")
  Duration heartbeat;

  @Option(names = "--dispatch-timeout", defaultValue = HubConfig.DEFAULT_DISPATCH_TIMEOUT_SECONDS + "s", converter = Durations.class, description = "A subscriber unwritable for longer is disconnected (default ${DEFAULT-VALUE}).")
  Duration dispatchTimeout;

  @Option(names = "--retry", defaultValue = "" + HubConfig.DEFAULT_RETRY_MILLIS, description = "retry: hint in ms sent when a stream opens (default: none).")
  long retry;

  @Option(names = "--demo", description = "Publish the time every second on demo/clock (implies --anonymous, for the page at /).")
  boolean demo;

  @Option(names = "--tls-cert", description = "PEM certificate chain: serve HTTPS with HTTP/2 (ALPN h2).")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM private key (PKCS#8) for --tls-cert.")
  Path tlsKey;

  @Option(names = "--max-body-bytes", defaultValue = "" + HubConfig.DEFAULT_MAX_BODY_BYTES, description = "Largest publish body (default ${DEFAULT-VALUE}); larger gets 413.")
  int maxBodyBytes;

  @Option(names = "--max-topics", defaultValue = "" + HubConfig.DEFAULT_MAX_TOPICS, description = "Most topics per publish or subscribe (default ${DEFAULT-VALUE}).")
  int maxTopics;

  @Option(names = "--history", defaultValue = "durable", description = "Where updates are kept for replay: durable (on disk, survives restarts), memory (a bounded ring, lost on restart) or none (default ${DEFAULT-VALUE}).")
  String history;

  @Option(names = "--data-dir", defaultValue = "./herald-data", description = "Directory of the durable history (default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--fsync", defaultValue = "always", description = "always: each group commit is fsynced before the 200s go out (survives power loss); os: left to the OS (survives a hub crash, not a machine crash). Default ${DEFAULT-VALUE}.")
  String fsync;

  @Option(names = "--history-size", defaultValue = "" + StoreOptions.DEFAULT_MAX_COUNT, description = "Most updates kept for replay (default ${DEFAULT-VALUE}).")
  long historySize;

  @Option(names = "--history-max-age", defaultValue = "1d", converter = Durations.class, description = "Updates older than this are pruned (default ${DEFAULT-VALUE}; durable history).")
  Duration historyMaxAge;

  @Option(names = "--history-max-bytes", defaultValue = "" + StoreOptions.DEFAULT_MAX_BYTES, description = "Most bytes of updates kept (default ${DEFAULT-VALUE}; durable history).")
  long historyMaxBytes;

  @Option(names = "--subscriptions", description = "Publish subscription events and serve the subscriptions API.")
  boolean subscriptions;

  @Option(names = "--admin-addr", description = "HOST:PORT serving /metrics, /healthz and /readyz apart from the hub (then /metrics is not on the main port).")
  String adminAddr;

  @Option(names = "--metrics-token", description = "Bearer token required to read /metrics.")
  String metricsToken;

  @Option(names = "--grace-period", defaultValue = "10s", converter = Durations.class, description = "On SIGTERM, how long to drain before exiting anyway (default ${DEFAULT-VALUE}).")
  Duration gracePeriod;

  @Option(names = "--transport", defaultValue = "local", description = "local: this hub alone, with --history (default). redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://...: hubs sharing the URL form a cluster; updates and history live in a Redis stream (--history-size and --history-max-age apply to it, --history is ignored).")
  String transportUrl;

  @Option(names = "--config", description = "YAML file of flag names to values. Precedence: command line, then HERALD_* environment, then this file, then defaults.")
  Path config;

  @Option(names = "--print-config", description = "Print the effective configuration (secrets masked) as YAML and exit.")
  boolean printConfig;

  @Option(names = "--log-format", defaultValue = "plain", description = "plain or json: one line per event (default ${DEFAULT-VALUE}).")
  String logFormat;

  @Option(names = "--io-threads", defaultValue = "0", description = "Event loop threads (default: one per core).")
  int ioThreads;

  @Option(names = "--publish-rate-per-address", defaultValue = "0", description = "Publish requests per second per client address, in bursts of up to twice that; over it 429 (default ${DEFAULT-VALUE}: off).")
  double publishRatePerAddress;

  @Option(names = "--publish-rate-per-subject", defaultValue = "0", description = "Publish requests per second per token subject (sub claim), in bursts of up to twice that; over it 429 (default ${DEFAULT-VALUE}: off).")
  double publishRatePerSubject;

  @Option(names = "--subscribe-rate-per-address", defaultValue = "0", description = "Subscribe requests per second per client address, in bursts of up to twice that; over it 429 (default ${DEFAULT-VALUE}: off).")
  double subscribeRatePerAddress;

  @Option(names = "--subscribe-rate-per-subject", defaultValue = "0", description = "Subscribe requests per second per token subject (sub claim), in bursts of up to twice that; over it 429 (default ${DEFAULT-VALUE}: off).")
  double subscribeRatePerSubject;

  @Option(names = "--max-streams-per-address", defaultValue = "0", description = "Open event streams per client address; more gets 429 (default ${DEFAULT-VALUE}: off).")
  int maxStreamsPerAddress;

  @Option(names = "--max-streams-per-subject", defaultValue = "0", description = "Open event streams per token subject (sub claim); more gets 429 (default ${DEFAULT-VALUE}: off).")
  int maxStreamsPerSubject;

  @Option(names = "--header-timeout", defaultValue = HubConfig.DEFAULT_HEADER_TIMEOUT_SECONDS + "s", converter = Durations.class, description = "A connection that has not sent a complete request head this long after connecting or after its last response is closed (default ${DEFAULT-VALUE}; 0 disables).")
  Duration headerTimeout;

  @Option(names = "--body-timeout", defaultValue = HubConfig.DEFAULT_BODY_TIMEOUT_SECONDS + "s", converter = Durations.class, description = "A request body not complete this long after its head gets 408 (default ${DEFAULT-VALUE}; 0 disables).")
  Duration bodyTimeout;

  @Option(names = "--max-body-bytes-in-flight", defaultValue = "0", description = "Bytes of request bodies buffered at once, hub-wide; past it 503 (default: 1/8 of direct memory, at most 256 MiB).")
  long maxBodyBytesInFlight;

  @Option(names = "--max-connections-per-address", defaultValue = "" + HubConfig.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, description = "Open connections from one client address (default ${DEFAULT-VALUE}; 0 = no limit, e.g. behind a proxy).")
  int maxConnectionsPerAddress;

  @Option(names = "--max-connections", defaultValue = "0", description = "Open connections in total (default: 90%% of the open-file limit).")
  int maxConnections;

  @Option(names = "--max-topic-bytes", defaultValue = "" + HubConfig.DEFAULT_MAX_TOPIC_BYTES, description = "Longest topic (publish, alternates too) or topic selector (subscribe) in UTF-8 bytes (default ${DEFAULT-VALUE}); longer gets 400.")
  int maxTopicBytes;

  @Option(names = "--match-cache-bytes", defaultValue = "" + HubConfig.DEFAULT_MATCH_CACHE_BYTES, description = "Bytes the caches of compiled templates and of match results may weigh together (default ${DEFAULT-VALUE}); past it their coldest entries are evicted.")
  long matchCacheBytes;

  @Option(names = "--max-queued-bytes", defaultValue = "0", description = "Bytes all subscribers together may have queued for sending, each write counted with its overhead (default 0: a quarter of the smaller of the JVM's heap and direct memory). A write past it drops that subscriber, which resumes from history.")
  long maxQueuedBytes;

  @Option(names = "--max-queued-bytes-per-connection", defaultValue = "0", description = "Bytes one connection (all its HTTP/2 streams) may have queued (default 0: an eighth of --max-queued-bytes, within 1-16 MiB).")
  long maxQueuedBytesPerConnection;

  @Option(names = "--max-streams-per-connection", defaultValue = "" + HubConfig.DEFAULT_MAX_STREAMS_PER_CONNECTION, description = "Concurrent HTTP/2 streams per connection (default ${DEFAULT-VALUE}).")
  int maxStreamsPerConnection;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (printConfig) {
      out.print(EffectiveConfig.yaml(spec));
      out.flush();
      return 0;
    }
    LogSetup.configure(logFormat);
    FatalExit.install(); // a dead worker stops the process (exit 70) instead of leaving a zombie
    boolean generatedKey = publisherKey == null || publisherKey.isEmpty();
    if (generatedKey) {
      if (!JwtKeys.isHmac(JwtKeys.algorithm(algorithm))) {
        throw new IllegalArgumentException("--publisher-jwt-key is required with --jwt-algorithm " + algorithm);
      }
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      publisherKey = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }
    JwtVerifier publisherVerifier = JwtVerifier.create(publisherKey, algorithm);
    JwtVerifier subscriberVerifier = subscriberKey == null || subscriberKey.isEmpty()
        ? publisherVerifier : JwtVerifier.create(subscriberKey, algorithm);

    HubConfig config = HubConfig.builder()
        .address(Addresses.parse(addr))
        .publisherVerifier(publisherVerifier)
        .subscriberVerifier(subscriberVerifier)
        .anonymous(anonymous || demo)
        .corsOrigins(corsOrigins)
        .publishOrigins(publishOrigins)
        .cookieName(cookieName)
        .heartbeat(heartbeat)
        .dispatchTimeout(dispatchTimeout)
        .retryMillis(retry)
        .demo(demo)
        .tls(tlsCert, tlsKey)
        .maxBodyBytes(maxBodyBytes)
        .maxTopics(maxTopics)
        .ioThreads(ioThreads)
        .subscriptions(subscriptions)
        .adminAddress(adminAddr == null || adminAddr.isEmpty() ? null : Addresses.parse(adminAddr))
        .metricsToken(metricsToken)
        .limits(new LimitSettings(publishRatePerAddress, publishRatePerSubject,
            subscribeRatePerAddress, subscribeRatePerSubject, maxStreamsPerAddress, maxStreamsPerSubject))
        .headerTimeout(headerTimeout)
        .bodyTimeout(bodyTimeout)
        .maxBodyBytesInFlight(maxBodyBytesInFlight)
        .maxConnectionsPerAddress(maxConnectionsPerAddress)
        .maxConnections(maxConnections)
        .maxTopicBytes(maxTopicBytes)
        .matchCacheBytes(matchCacheBytes)
        .maxQueuedBytesTotal(maxQueuedBytes)
        .maxQueuedBytesPerConnection(maxQueuedBytesPerConnection)
        .maxStreamsPerConnection(maxStreamsPerConnection)
        .build();

    boolean clustered = !"local".equals(transportUrl);
    History store = clustered ? new NoHistory() : openHistory();
    Transport transport = clustered
        ? io.herald.redis.RedisTransport.connect(
            io.herald.redis.RedisOptions.of(transportUrl).withRetention(historySize, historyMaxAge))
        : new HistoryTransport(store);
    HubServer hub;
    try {
      hub = HubServer.start(config, transport);
    } catch (Exception e) {
      transport.close();
      store.close();
      throw e;
    }
    GracefulShutdown shutdown = new GracefulShutdown(hub, transport, store, gracePeriod);
    shutdown.install();
    OutOfMemoryCheck.warnIfTheJvmSurvivesIt();
    System.getLogger(ServeCommand.class.getName()).log(Level.INFO, "started on " + hub.address()
        + " with " + EffectiveConfig.values(spec));
    printBanner(out, hub, generatedKey);
    return shutdown.awaitStopped() ? 0 : 1;
  }

  private History openHistory() throws HistoryException {
    return switch (history) {
      case "durable" -> DurableHistory.open(dataDir, StoreOptions.defaults()
          .withFsync(switch (fsync) {
            case "always" -> FsyncPolicy.ALWAYS;
            case "os" -> FsyncPolicy.OS;
            default -> throw new IllegalArgumentException("--fsync must be always or os, got '" + fsync + "'");
          })
          .withMaxCount(historySize)
          .withMaxAge(historyMaxAge)
          .withMaxBytes(historyMaxBytes));
      case "memory" -> new MemoryHistory((int) Math.min(Integer.MAX_VALUE - 8, historySize));
      case "none" -> new NoHistory();
      default -> throw new IllegalArgumentException(
          "--history must be durable, memory or none, got '" + history + "'");
    };
  }

  /** How long the banner's development token is valid. */
  private static final Duration BANNER_TOKEN_LIFETIME = Duration.ofHours(24);

  private void printBanner(PrintWriter out, HubServer hub, boolean generatedKey) {
    InetSocketAddress bound = hub.address();
    String scheme = tlsCert != null ? "https" : "http";
    String host = bound.getAddress().isAnyLocalAddress() ? "localhost" : bound.getHostString();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    String base = scheme + "://" + host + ":" + bound.getPort();
    String url = base + "/.well-known/mercure";
    out.printf("Herald hub listening on %s (%s, %s)%n", bound, hub.isNative() ? "epoll" : "nio",
        tlsCert != null ? "HTTPS, HTTP/2 via ALPN" : "HTTP/1.1 and h2c");
    out.printf("Hub URL: %s   page: %s/%n", url, base);
    if (!"local".equals(transportUrl)) {
      out.printf("Cluster: updates and history in the Redis stream at %s%n",
          io.herald.redis.RedisOptions.of(transportUrl).safeUri());
    } else {
      out.printf("History: %s%n", switch (history) {
        case "durable" -> "durable in " + dataDir.toAbsolutePath().normalize() + " (fsync " + fsync + ")";
        case "memory" -> "in memory, last " + historySize + " updates (lost on restart)";
        default -> "none (no replay)";
      });
    }
    // Security: a token is printed only for a key generated for this session (the development
    // default), with an expiry, and never with --log-format json: stdout of a hub logging JSON is
    // collected somewhere, and a token signed with the operator's key would be valid everywhere
    // that key is. Operators make their own tokens with `herald token`.
    boolean json = "json".equals(logFormat);
    if (generatedKey && !json) {
      Instant expires = Instant.now().plus(BANNER_TOKEN_LIFETIME).truncatedTo(ChronoUnit.SECONDS);
      String token = new TokenIssuer(publisherKey, algorithm).issue(List.of("*"), List.of("*"), null, expires);
      out.println("No --publisher-jwt-key given: generated a random key for this session only.");
      out.println("The token below stops working when the hub restarts; set HERALD_PUBLISHER_JWT_KEY to keep tokens.");
      out.printf("Token (publish and subscribe to every topic, expires %s):%n", expires);
      out.println("  " + token);
      out.println("Subscribe:");
      out.printf("  curl -N -H 'Authorization: Bearer %s' '%s?topic=demo/hello'%n", token, url);
      out.println("Publish:");
      out.printf("  curl -X POST -H 'Authorization: Bearer %s' -d topic=demo/hello -d data=hi '%s'%n", token, url);
    } else if (generatedKey) {
      out.println("No --publisher-jwt-key given: generated a random key for this session only; no token is printed"
          + " with --log-format json, so nobody can publish: set HERALD_PUBLISHER_JWT_KEY.");
    } else {
      out.println("Tokens: none printed for a configured key; make them with 'herald token --key ... --expires-in 1h'.");
    }
    if (anonymous || demo) {
      out.println("Anonymous subscribers may read public updates.");
    }
    if (demo) {
      out.printf("Demo: the time is published every second on demo/clock; open %s/ in a browser.%n", base);
    }
    out.flush();
  }
}
