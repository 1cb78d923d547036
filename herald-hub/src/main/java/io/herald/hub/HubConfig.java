package io.herald.hub;

import io.herald.core.topic.TopicLength;
import io.herald.core.topic.TopicMatcher;
import io.herald.hub.auth.JwtVerifier;
import io.herald.hub.limits.LimitSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the hub needs to know to run, with the defaults a production hub should have. Built
 * with {@link #builder()}; immutable.
 */
public final class HubConfig {
  // The defaults, defined here once: the builder starts from them, and `herald serve` takes its
  // flags' defaults (which --help and --print-config show) from them. Compile-time constants, so
  // picocli's annotations can use them. A setting whose 0 means "derived" (from the cores, the
  // memory or the open-file limit) or "off" has no constant: 0 says it in both places.
  /** Default port, on every interface. */
  public static final int DEFAULT_PORT = 8080;
  /** Default cookie a browser's token may come in: Mercure's name. */
  public static final String DEFAULT_COOKIE_NAME = "mercureAuthorization";
  /** Default interval after which an idle stream gets a comment line, in seconds. */
  public static final long DEFAULT_HEARTBEAT_SECONDS = 15;
  /** Default time a subscriber may stay unwritable, in seconds. */
  public static final long DEFAULT_DISPATCH_TIMEOUT_SECONDS = 5;
  /** Default {@code retry:} hint: none. */
  public static final long DEFAULT_RETRY_MILLIS = -1;
  /** Default largest request body, in bytes. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
  /** Default most topics per publish or subscribe. */
  public static final int DEFAULT_MAX_TOPICS = 100;
  /** Default time a request head may take, in seconds. */
  public static final long DEFAULT_HEADER_TIMEOUT_SECONDS = 10;
  /** Default time a request body may take, in seconds. */
  public static final long DEFAULT_BODY_TIMEOUT_SECONDS = 30;
  /** Default cap on open connections from one client address. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1000;
  /** Default cap on a topic's or selector's length, in UTF-8 bytes. */
  public static final int DEFAULT_MAX_TOPIC_BYTES = TopicLength.DEFAULT_MAX_BYTES;
  /** Default weight of the topic matcher's caches, in bytes. */
  public static final long DEFAULT_MATCH_CACHE_BYTES = TopicMatcher.DEFAULT_CACHE_BYTES;
  /** Default cap on concurrent HTTP/2 streams per connection. */
  public static final int DEFAULT_MAX_STREAMS_PER_CONNECTION = 100;

  private final InetSocketAddress address;
  private final JwtVerifier publisherVerifier;
  private final JwtVerifier subscriberVerifier;
  private final boolean anonymous;
  private final List<String> corsOrigins;
  private final List<String> publishOrigins;
  private final String cookieName;
  private final Duration heartbeat;
  private final Duration dispatchTimeout;
  private final long retryMillis;
  private final boolean demo;
  private final Path tlsCert;
  private final Path tlsKey;
  private final int maxBodyBytes;
  private final int maxTopics;
  private final int maxUriBytes;
  private final int maxHeaderBytes;
  private final int maxQueuedBytes;
  private final int ioThreads;
  private final boolean subscriptions;
  private final InetSocketAddress adminAddress;
  private final String metricsToken;
  private final LimitSettings limits;
  private final Duration headerTimeout;
  private final Duration bodyTimeout;
  private final long maxBodyBytesInFlight;
  private final int maxConnectionsPerAddress;
  private final int maxConnections;
  private final int maxTopicBytes;
  private final long matchCacheBytes;
  private final long maxQueuedBytesTotal;
  private final long maxQueuedBytesPerConnection;
  private final int maxStreamsPerConnection;

  private HubConfig(Builder b) {
    this.address = b.address;
    this.publisherVerifier = b.publisherVerifier;
    this.subscriberVerifier = b.subscriberVerifier != null ? b.subscriberVerifier : b.publisherVerifier;
    this.anonymous = b.anonymous;
    this.corsOrigins = List.copyOf(b.corsOrigins);
    this.publishOrigins = List.copyOf(b.publishOrigins);
    this.cookieName = b.cookieName;
    this.heartbeat = b.heartbeat;
    this.dispatchTimeout = b.dispatchTimeout;
    this.retryMillis = b.retryMillis;
    this.demo = b.demo;
    this.tlsCert = b.tlsCert;
    this.tlsKey = b.tlsKey;
    this.maxBodyBytes = b.maxBodyBytes;
    this.maxTopics = b.maxTopics;
    this.maxUriBytes = b.maxUriBytes;
    this.maxHeaderBytes = b.maxHeaderBytes;
    this.maxQueuedBytes = b.maxQueuedBytes;
    this.ioThreads = b.ioThreads;
    this.subscriptions = b.subscriptions;
    this.adminAddress = b.adminAddress;
    this.metricsToken = b.metricsToken;
    this.limits = b.limits;
    this.headerTimeout = Objects.requireNonNull(b.headerTimeout);
    this.bodyTimeout = Objects.requireNonNull(b.bodyTimeout);
    this.maxBodyBytesInFlight = b.maxBodyBytesInFlight > 0
        ? b.maxBodyBytesInFlight : defaultMaxBodyBytesInFlight(b.maxBodyBytes);
    this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
    this.maxConnections = b.maxConnections > 0 ? b.maxConnections : defaultMaxConnections();
    if (headerTimeout.isNegative() || bodyTimeout.isNegative()) {
      throw new IllegalArgumentException("--header-timeout and --body-timeout cannot be negative");
    }
    if (maxConnectionsPerAddress < 0) {
      throw new IllegalArgumentException("--max-connections-per-address cannot be negative");
    }
    this.maxTopicBytes = b.maxTopicBytes;
    this.matchCacheBytes = b.matchCacheBytes;
    if (maxTopicBytes < 1) {
      throw new IllegalArgumentException("--max-topic-bytes must be at least 1");
    }
    if (matchCacheBytes < 0) {
      throw new IllegalArgumentException("--match-cache-bytes must not be negative");
    }
    if (b.maxQueuedBytesTotal < 0 || b.maxQueuedBytesPerConnection < 0) {
      throw new IllegalArgumentException(
          "--max-queued-bytes and --max-queued-bytes-per-connection must be positive (0: derived from the JVM's memory)");
    }
    this.maxQueuedBytesTotal = b.maxQueuedBytesTotal > 0 ? b.maxQueuedBytesTotal : defaultMaxQueuedBytesTotal();
    this.maxQueuedBytesPerConnection = b.maxQueuedBytesPerConnection > 0
        ? b.maxQueuedBytesPerConnection : defaultMaxQueuedBytesPerConnection(maxQueuedBytesTotal);
    this.maxStreamsPerConnection = b.maxStreamsPerConnection;
    if (maxStreamsPerConnection < 1) {
      throw new IllegalArgumentException("--max-streams-per-connection must be at least 1, got " + maxStreamsPerConnection);
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    }
    if (corsOrigins.contains("*") && corsOrigins.size() > 1) {
      throw new IllegalArgumentException("--cors-origins: '*' cannot be combined with origins");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Where the hub listens. Default: every interface, port 8080. */
  public InetSocketAddress address() {
    return address;
  }

  /** Verifies publisher tokens; {@code null} means nobody may publish over HTTP. */
  public JwtVerifier publisherVerifier() {
    return publisherVerifier;
  }

  /** Verifies subscriber tokens; defaults to the publisher verifier, as in Mercure. */
  public JwtVerifier subscriberVerifier() {
    return subscriberVerifier;
  }

  /** Whether subscribers without a token may receive public updates. */
  public boolean anonymous() {
    return anonymous;
  }

  /** Origins allowed by CORS: exact origins, or the single entry {@code *}. */
  public List<String> corsOrigins() {
    return corsOrigins;
  }

  /** Origins from which a cookie-authenticated publish is accepted (CSRF protection). */
  public List<String> publishOrigins() {
    return publishOrigins;
  }

  public String cookieName() {
    return cookieName;
  }

  /** Interval after which an idle stream gets a comment line; zero disables. */
  public Duration heartbeat() {
    return heartbeat;
  }

  /** How long a subscriber may stay unwritable before it is disconnected. */
  public Duration dispatchTimeout() {
    return dispatchTimeout;
  }

  /** The {@code retry:} hint sent when a stream opens, or {@code -1} for none. */
  public long retryMillis() {
    return retryMillis;
  }

  public boolean demo() {
    return demo;
  }

  public Path tlsCert() {
    return tlsCert;
  }

  public Path tlsKey() {
    return tlsKey;
  }

  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  public int maxTopics() {
    return maxTopics;
  }

  public int maxUriBytes() {
    return maxUriBytes;
  }

  public int maxHeaderBytes() {
    return maxHeaderBytes;
  }

  /**
   * Bytes that may wait in one subscriber's outbound queue. Past it the subscriber is dropped at
   * once (it will reconnect and resume), whatever the dispatch timeout says.
   */
  public int maxQueuedBytes() {
    return maxQueuedBytes;
  }

  /** Event loop threads for connections; 0 means one per core. */
  public int ioThreads() {
    return ioThreads;
  }

  /** Whether subscription events and the subscriptions API are on ({@code --subscriptions}). */
  public boolean subscriptions() {
    return subscriptions;
  }

  /** Where {@code /metrics} is served instead of the main port, or {@code null}. */
  public InetSocketAddress adminAddress() {
    return adminAddress;
  }

  /** Bearer token required to read {@code /metrics}, or {@code null} for none. */
  public String metricsToken() {
    return metricsToken;
  }

  /**
   * Rates of publish and subscribe requests and counts of open streams allowed per client address
   * and per token subject; over them a request gets 429. Default: all off.
   */
  public LimitSettings limits() {
    return limits;
  }

  /**
   * How long a connection may take to deliver a complete request head, counted from its accept
   * or from the end of its previous response (keep-alive idle); on HTTP/2, how long a connection
   * may stay without streams and without frames. Slow or silent clients (slowloris) are closed.
   * Zero disables. Never applies to a connection carrying an event stream.
   */
  public Duration headerTimeout() {
    return headerTimeout;
  }

  /** How long a request body may take to arrive completely once its head is in; zero disables. */
  public Duration bodyTimeout() {
    return bodyTimeout;
  }

  /**
   * Bytes of request bodies that may be buffered at once, hub-wide. Past it a request gets 503
   * with {@code Retry-After}. Default: an eighth of the direct memory Netty may use, at most
   * {@link #MAX_DEFAULT_BODY_BYTES_IN_FLIGHT}, at least one largest body.
   */
  public long maxBodyBytesInFlight() {
    return maxBodyBytesInFlight;
  }

  /** Open connections allowed from one client address; 0 means no limit (behind a proxy). */
  public int maxConnectionsPerAddress() {
    return maxConnectionsPerAddress;
  }

  /** Open connections allowed in total. Default: 90% of the process's open-file limit. */
  public int maxConnections() {
    return maxConnections;
  }

  /** The cap on the derived default of {@link #maxBodyBytesInFlight()}. */
  public static final long MAX_DEFAULT_BODY_BYTES_IN_FLIGHT = 256L << 20;
  /** Used when the process's open-file limit cannot be read. */
  private static final int FALLBACK_MAX_CONNECTIONS = 10_000;

  private static long defaultMaxBodyBytesInFlight(int maxBodyBytes) {
    long derived = Math.min(io.netty.util.internal.PlatformDependent.maxDirectMemory() / 8,
        MAX_DEFAULT_BODY_BYTES_IN_FLIGHT);
    return Math.max(derived, maxBodyBytes);
  }

  /** File descriptors left over serve the history files, Redis, logs and the admin port. */
  private static int defaultMaxConnections() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long limit = unix.getMaxFileDescriptorCount();
      if (limit > 0) {
        return (int) Math.max(16, Math.min(Integer.MAX_VALUE, limit * 9 / 10));
      }
    }
    return FALLBACK_MAX_CONNECTIONS;
  }

  /**
   * Longest topic or topic selector, in UTF-8 bytes, on publish (every topic, alternates too) and
   * subscribe; longer gets a 400 with the cap in its reason. Bounds what one selector costs
   * compiled and one topic costs in the match cache ({@link TopicLength}).
   */
  public int maxTopicBytes() {
    return maxTopicBytes;
  }

  /**
   * Bytes the topic matcher's two caches (compiled templates, match results) may weigh together;
   * past it they evict their coldest entries ({@link TopicMatcher}).
   */
  public long matchCacheBytes() {
    return matchCacheBytes;
  }

  /**
   * Bytes all subscriber streams together may have queued for sending (written and not gone yet,
   * or waiting while they replay). Each queued write counts its bytes plus a fixed overhead for
   * the objects holding it, so the sum bounds the heap and direct memory that slow or stalled
   * subscribers can pin. A write that would go past it is not made; that stream is dropped (it
   * resumes from history). Default: a quarter of the smaller of the JVM's heap and direct memory.
   */
  public long maxQueuedBytesTotal() {
    return maxQueuedBytesTotal;
  }

  /**
   * Bytes one connection may have queued: the sum over an HTTP/2 connection's streams (for
   * HTTP/1.1 the connection is the stream). Past it that connection's streams are dropped on
   * their next write; other connections are untouched. Default: an eighth of {@link
   * #maxQueuedBytesTotal()}, within 1 to 16 MiB (and never more than the total).
   */
  public long maxQueuedBytesPerConnection() {
    return maxQueuedBytesPerConnection;
  }

  /** HTTP/2 streams one connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS). */
  public int maxStreamsPerConnection() {
    return maxStreamsPerConnection;
  }

  /** A quarter of the smaller of the heap and direct memory limits. */
  static long defaultMaxQueuedBytesTotal() {
    long direct = io.netty.util.internal.PlatformDependent.maxDirectMemory();
    long heap = Runtime.getRuntime().maxMemory();
    long smaller = direct > 0 ? Math.min(direct, heap) : heap;
    return Math.max(1L << 20, smaller / 4);
  }

  /** An eighth of the hub's budget, at least 1 MiB and at most 16 MiB, never above the total. */
  static long defaultMaxQueuedBytesPerConnection(long total) {
    return Math.min(total, Math.max(1L << 20, Math.min(16L << 20, total / 8)));
  }

  /** Builder with production defaults. */
  public static final class Builder {
    private InetSocketAddress address = new InetSocketAddress(DEFAULT_PORT);
    private JwtVerifier publisherVerifier;
    private JwtVerifier subscriberVerifier;
    private boolean anonymous;
    private List<String> corsOrigins = List.of();
    private List<String> publishOrigins = List.of();
    private String cookieName = DEFAULT_COOKIE_NAME;
    private Duration heartbeat = Duration.ofSeconds(DEFAULT_HEARTBEAT_SECONDS);
    private Duration dispatchTimeout = Duration.ofSeconds(DEFAULT_DISPATCH_TIMEOUT_SECONDS);
    private long retryMillis = DEFAULT_RETRY_MILLIS;
    private boolean demo;
    private Path tlsCert;
    private Path tlsKey;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxTopics = DEFAULT_MAX_TOPICS;
    private int maxUriBytes = 8192;
    private int maxHeaderBytes = 16384;
    private int maxQueuedBytes = 4 << 20;
    private int ioThreads;
    private boolean subscriptions;
    private InetSocketAddress adminAddress;
    private String metricsToken;
    private LimitSettings limits = LimitSettings.OFF;
    private Duration headerTimeout = Duration.ofSeconds(DEFAULT_HEADER_TIMEOUT_SECONDS);
    private Duration bodyTimeout = Duration.ofSeconds(DEFAULT_BODY_TIMEOUT_SECONDS);
    private long maxBodyBytesInFlight;
    private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
    private int maxConnections;
    private int maxTopicBytes = DEFAULT_MAX_TOPIC_BYTES;
    private long matchCacheBytes = DEFAULT_MATCH_CACHE_BYTES;
    private long maxQueuedBytesTotal;
    private long maxQueuedBytesPerConnection;
    private int maxStreamsPerConnection = DEFAULT_MAX_STREAMS_PER_CONNECTION;

    public Builder address(InetSocketAddress address) {
      this.address = Objects.requireNonNull(address);
      return this;
    }

    public Builder publisherVerifier(JwtVerifier v) {
      this.publisherVerifier = v;
      return this;
    }

    public Builder subscriberVerifier(JwtVerifier v) {
      this.subscriberVerifier = v;
      return this;
    }

    public Builder anonymous(boolean anonymous) {
      this.anonymous = anonymous;
      return this;
    }

    public Builder corsOrigins(List<String> origins) {
      this.corsOrigins = origins;
      return this;
    }

    public Builder publishOrigins(List<String> origins) {
      this.publishOrigins = origins;
      return this;
    }

    public Builder cookieName(String name) {
      this.cookieName = name;
      return this;
    }

    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = heartbeat;
      return this;
    }

    public Builder dispatchTimeout(Duration timeout) {
      this.dispatchTimeout = timeout;
      return this;
    }

    public Builder retryMillis(long retryMillis) {
      this.retryMillis = retryMillis;
      return this;
    }

    public Builder demo(boolean demo) {
      this.demo = demo;
      return this;
    }

    public Builder tls(Path cert, Path key) {
      this.tlsCert = cert;
      this.tlsKey = key;
      return this;
    }

    public Builder maxBodyBytes(int n) {
      this.maxBodyBytes = n;
      return this;
    }

    public Builder maxTopics(int n) {
      this.maxTopics = n;
      return this;
    }

    public Builder maxUriBytes(int n) {
      this.maxUriBytes = n;
      return this;
    }

    public Builder maxHeaderBytes(int n) {
      this.maxHeaderBytes = n;
      return this;
    }

    public Builder maxQueuedBytes(int n) {
      this.maxQueuedBytes = n;
      return this;
    }

    public Builder ioThreads(int n) {
      this.ioThreads = n;
      return this;
    }

    public Builder subscriptions(boolean enabled) {
      this.subscriptions = enabled;
      return this;
    }

    public Builder adminAddress(InetSocketAddress address) {
      this.adminAddress = address;
      return this;
    }

    public Builder metricsToken(String token) {
      this.metricsToken = token;
      return this;
    }

    public Builder limits(LimitSettings limits) {
      this.limits = Objects.requireNonNull(limits);
      return this;
    }

    public Builder headerTimeout(Duration timeout) {
      this.headerTimeout = timeout;
      return this;
    }

    public Builder bodyTimeout(Duration timeout) {
      this.bodyTimeout = timeout;
      return this;
    }

    /** 0 (the default) derives it from the direct memory limit. */
    public Builder maxBodyBytesInFlight(long n) {
      this.maxBodyBytesInFlight = n;
      return this;
    }

    /** 0 turns the per-address limit off. */
    public Builder maxConnectionsPerAddress(int n) {
      this.maxConnectionsPerAddress = n;
      return this;
    }

    /** 0 (the default) derives it from the open-file limit. */
    public Builder maxConnections(int n) {
      this.maxConnections = n;
      return this;
    }

    public Builder maxTopicBytes(int n) {
      this.maxTopicBytes = n;
      return this;
    }

    public Builder matchCacheBytes(long n) {
      this.matchCacheBytes = n;
      return this;
    }

    /** See {@link HubConfig#maxQueuedBytesTotal()}; 0 derives it from the JVM's memory limits. */
    public Builder maxQueuedBytesTotal(long n) {
      this.maxQueuedBytesTotal = n;
      return this;
    }

    /** See {@link HubConfig#maxQueuedBytesPerConnection()}; 0 derives it from the total. */
    public Builder maxQueuedBytesPerConnection(long n) {
      this.maxQueuedBytesPerConnection = n;
      return this;
    }

    public Builder maxStreamsPerConnection(int n) {
      this.maxStreamsPerConnection = n;
      return this;
    }

    public HubConfig build() {
      return new HubConfig(this);
    }

    /** Made by {@link HubConfig#builder()} only, so an exported default constructor is no API. */
    private Builder() {}
  }
}
