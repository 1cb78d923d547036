package io.herald.redis;

import io.herald.core.Reasons;
import io.herald.core.history.History;
import io.herald.core.history.SplitHistory;
import io.herald.core.transport.GroupCommit;
import io.herald.core.transport.PublishResult;
import io.herald.core.transport.Transport;
import io.herald.core.transport.TransportUnavailableException;
import io.herald.core.transport.UpdateListener;
import io.herald.core.update.Update;
import io.herald.core.worker.Workers;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster transport: every hub node appends its publishes to one shared Redis stream and
 * reads the whole stream back, so every node delivers every update, in the stream's order.
 *
 * <p><b>Publishing.</b> Publishes are stored through a {@link GroupCommit}: its writer thread takes
 * the publishes that are waiting and this transport appends them with one Lua script run ({@code
 * append.lua}): the script gives each update the next sequence, adds it to the stream as entry
 * {@code <sequence>-0}, indexes its event ID, and applies retention, atomically. Up to {@link
 * #MAX_IN_FLIGHT} such batches are pipelined on one connection. A publish future completes only
 * when Redis answered the script, so a 200 means "in Redis"; it fails with {@link
 * TransportUnavailableException} (a 503) when Redis is unreachable, at once when the connection
 * is known to be down, else after the command timeout. Batch bounds, closing and a dying writer
 * follow the queue's rules (see {@link GroupCommit}).
 *
 * <p><b>Delivering.</b> A {@link StreamReader} per node reads the stream with blocking
 * {@code XREAD} on a connection of its own and hands each entry to the {@link UpdateListener},
 * in sequence order, from its one thread; publishes made on this node come back the same way,
 * so all nodes deliver the same order. Sequences are dense (one counter, bumped only by the
 * script), so a gap tells the reader it fell behind retention: it calls
 * {@link UpdateListener#onReset()}.
 *
 * <p><b>Outages.</b> Connections are re-established by this class, with backoff (Lettuce's own
 * auto-reconnect is off: it would re-send, after the reconnect, commands whose publisher had
 * already been answered 503). The outage is logged once at WARNING and its end at INFO.
 */
public final class RedisTransport implements Transport {
  private static final System.Logger LOG = System.getLogger(RedisTransport.class.getName());
  /** Most updates in one script run. */
  static final int MAX_BATCH = 1024;
  /** Most payload bytes in one script run, so one run stays short for Redis. */
  static final long MAX_BATCH_BYTES = 4L << 20;
  /** Script runs pipelined on the connection at once. */
  static final int MAX_IN_FLIGHT = 4;
  /** Entries a run may trim beyond the ones it adds. */
  static final int TRIM_EXTRA = 256;
  static final long MIN_BACKOFF_MILLIS = 100;
  static final long MAX_BACKOFF_MILLIS = 5000;

  /**
   * The append script's kind of each update: an application update whose ID the publisher chose
   * (looked up first), one with a generated ID, or a hub event (kept under its own bound).
   */
  private static final byte[] GENERATED = {'0'};
  private static final byte[] CHECKED = {'1'};
  private static final byte[] HUB_EVENT = {'2'};
  /** Arguments of the append script before the updates. */
  private static final int RETENTION_ARGS = 5;

  static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final RedisOptions options;
  private final ClientResources resources;
  private final RedisClient client;
  private final String script;
  private final String sha;
  private final String[] keys;
  private final RedisHistory history;
  private final StreamReader reader;
  private final GroupCommit<Pending> commits;
  private final ScheduledExecutorService maintenance;
  private final AtomicBoolean reconnecting = new AtomicBoolean();
  private final AtomicBoolean outage = new AtomicBoolean();
  /** Guards {@link #dispatchTo}: set by the first of a call to it or a publish. */
  private final AtomicBoolean listenerFixed = new AtomicBoolean();
  private volatile StatefulRedisConnection<String, byte[]> conn;
  private volatile boolean closed;
  /** The highest sequence a publish on this node was acknowledged with. */
  private final AtomicLong maxAcked = new AtomicLong();
  private long backoffMillis = MIN_BACKOFF_MILLIS; // maintenance thread only

  /** One publish, encoded on the publisher's thread. */
  private record Pending(Update update, boolean idFromPublisher, byte[] payload) {}

  private RedisTransport(RedisOptions options) {
    this.options = options;
    this.script = loadScript();
    this.keys = new String[] {
      options.streamKey(), options.indexKey(), options.sequenceKey(), options.eventsKey()
    };
    RedisURI uri = RedisURI.create(options.uri());
    uri.setTimeout(options.commandTimeout());
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(false)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(options.commandTimeout()).keepAlive(true).build())
        .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
        .build());
    StatefulRedisConnection<String, byte[]> c;
    long start;
    try {
      c = client.connect(CODEC);
      sha = c.sync().scriptLoad(script);
      byte[] seq = c.sync().get(options.sequenceKey());
      start = seq == null ? 0 : Long.parseLong(new String(seq, StandardCharsets.US_ASCII));
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw new TransportUnavailableException(
          "cannot reach Redis at " + options.safeUri() + ": " + Reasons.oneLine(e), e);
    }
    this.conn = c;
    this.reader = new StreamReader(client, options, start);
    this.history = new RedisHistory(options, this::connection, reader::lastSequence);
    // Reconnection and retention run here: a check that throws would silently never run again,
    // so its failures go to the fatal handler (Workers#scheduler).
    this.maintenance = Workers.scheduler("herald-redis-maintenance");
    // Notices a connection that broke while idle (no publish to fail), so that readiness and
    // reconnection do not wait for the next publish.
    maintenance.scheduleWithFixedDelay(this::checkConnection, 200, 200, TimeUnit.MILLISECONDS);
    if (!options.maxAge().isZero()) {
      // Age-based retention must happen even when nobody publishes.
      long period = Math.max(100, Math.min(1000, options.maxAge().toMillis() / 4));
      maintenance.scheduleWithFixedDelay(this::trim, period, period, TimeUnit.MILLISECONDS);
    }
    this.commits = GroupCommit.builder("herald-redis-writer", this::send)
        .maxBatch(MAX_BATCH)
        .maxBatchBytes(MAX_BATCH_BYTES, p -> p.payload().length)
        .maxInFlight(MAX_IN_FLIGHT, options.commandTimeout().plusSeconds(1))
        .start();
  }

  /**
   * Connects to Redis and prepares the transport; the reader starts with {@link #dispatchTo}, at the
   * stream's current end.
   *
   * @throws TransportUnavailableException when Redis cannot be reached now
   */
  public static RedisTransport connect(RedisOptions options) {
    return new RedisTransport(options);
  }

  public RedisOptions options() {
    return options;
  }

  @Override
  public CompletableFuture<PublishResult> publish(Update update, boolean idFromPublisher) {
    if (!listenerFixed.get()) {
      listenerFixed.set(true);
    }
    if (!closed && connection() == null) {
      return CompletableFuture.failedFuture(unavailable(null));
    }
    return commits.submit(new Pending(update, idFromPublisher, UpdateCodec.encode(update)));
  }

  /**
   * Sets the listener and starts reading the stream (at its end when this transport connected);
   * once, before the first publish.
   */
  @Override
  public void dispatchTo(UpdateListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (!listenerFixed.compareAndSet(false, true)) {
      throw new IllegalStateException("dispatchTo is called once, before the first publish");
    }
    reader.start(listener);
  }

  @Override
  public History history() {
    return history;
  }

  @Override
  public boolean isAvailable() {
    return !closed && !commits.isDead() && connection() != null;
  }

  /** Every node of the cluster appends to the same stream. */
  @Override
  public boolean isShared() {
    return true;
  }

  /**
   * Publishes waiting for Redis, plus updates this node had acknowledged but not yet read back
   * and dispatched (a lower bound on its reader's lag; for metrics).
   */
  @Override
  public long lastStoredSequence() {
    return commits.lastStoredSequence();
  }

  @Override
  public long lag() {
    return commits.queued() + Math.max(0, maxAcked.get() - reader.lastSequence());
  }

  /** Test hook: stops (or restarts) this node's reading of the stream, as if it were stalled. */
  void pauseReading(boolean paused) {
    reader.setPaused(paused);
  }

  /** The command connection when it is up, else {@code null}. */
  StatefulRedisConnection<String, byte[]> connection() {
    StatefulRedisConnection<String, byte[]> c = conn;
    return c != null && c.isOpen() ? c : null;
  }

  /**
   * One group commit: runs the append script for {@code batch} (on the writer thread, answered
   * on Lettuce's) and answers each publish with the script's verdict.
   */
  private CompletionStage<Void> send(GroupCommit.Batch<Pending> batch) {
    StatefulRedisConnection<String, byte[]> c = connection();
    if (c == null) {
      return CompletableFuture.failedFuture(unavailable(null));
    }
    byte[][] args = new byte[RETENTION_ARGS + 3 * batch.size()][];
    retentionArgs(args, batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.item(i);
      args[RETENTION_ARGS + 3 * i] = SplitHistory.isHubEvent(p.update()) ? HUB_EVENT
          : p.idFromPublisher() ? CHECKED : GENERATED;
      args[RETENTION_ARGS + 1 + 3 * i] = p.update().id().getBytes(StandardCharsets.UTF_8);
      args[RETENTION_ARGS + 2 + 3 * i] = p.payload();
    }
    CompletableFuture<List<Object>> run;
    try {
      run = runScript(c, args);
    } catch (RuntimeException e) {
      run = CompletableFuture.failedFuture(e);
    }
    return run.handle((verdicts, err) -> {
      if (err != null) {
        Throwable cause = unwrap(err);
        if (isConnectionFailure(cause)) {
          connectionLost(c, cause);
        }
        throw unavailable(cause);
      }
      if (verdicts == null || verdicts.size() != batch.size()) {
        throw unavailable(new IllegalStateException("unexpected append script reply"));
      }
      for (int i = 0; i < batch.size(); i++) {
        Update u = batch.item(i).update();
        long v = ((Number) verdicts.get(i)).longValue();
        if (v > 0) {
          maxAcked.accumulateAndGet(v, Math::max);
          batch.onceStored(i, PublishResult.stored(u.withSequence(v)));
        } else if (v < 0) {
          // Byte-equal encoding in Redis: the stored entry is this very update.
          maxAcked.accumulateAndGet(-v, Math::max);
          batch.onceStored(i, PublishResult.duplicate(u.withSequence(-v)));
        } else {
          batch.onceStored(i, PublishResult.conflict(u));
        }
      }
      return null;
    });
  }

  private void retentionArgs(byte[][] args, int appended) {
    args[0] = ascii(options.maxEntries());
    args[1] = ascii(options.maxAge().toMillis());
    args[2] = ascii(appended + TRIM_EXTRA);
    args[3] = ascii(reader.lastSequence());
    args[4] = ascii(options.maxEvents());
  }

  private CompletableFuture<List<Object>> runScript(
      StatefulRedisConnection<String, byte[]> c, byte[][] args) {
    CompletableFuture<List<Object>> sent =
        c.async().<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
    // Redis restarted, or SCRIPT FLUSH: send the script itself (which caches it again).
    return sent.exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
        ? c.async().<List<Object>>eval(script, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
        : CompletableFuture.failedFuture(e));
  }

  private void checkConnection() {
    StatefulRedisConnection<String, byte[]> c = conn;
    if (closed || reconnecting.get()) {
      return;
    }
    if (c == null) {
      scheduleReconnect(0);
    } else if (!c.isOpen()) {
      connectionLost(c, new IOException("connection closed"));
    }
  }

  /** Applies age retention when nobody publishes (maintenance thread). */
  private void trim() {
    StatefulRedisConnection<String, byte[]> c = connection();
    if (c == null || closed) {
      return;
    }
    byte[][] args = new byte[RETENTION_ARGS][];
    retentionArgs(args, 0);
    try {
      runScript(c, args).whenComplete((r, e) -> {
        if (e != null) {
          LOG.log(Level.DEBUG, "retention run failed: {0}", Reasons.oneLine(unwrap(e)));
        }
      });
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "retention run failed: {0}", Reasons.oneLine(e));
    }
  }

  private void connectionLost(StatefulRedisConnection<String, byte[]> c, Throwable cause) {
    if (conn == c) {
      conn = null;
      if (c.isOpen()) {
        c.closeAsync();
      }
    }
    if (closed) {
      return;
    }
    if (outage.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "Redis at {0} unavailable ({1}): publishes get 503 until it is back; "
          + "reconnecting with backoff", new Object[] {options.safeUri(), Reasons.oneLine(cause)});
    }
    scheduleReconnect(0);
  }

  private void scheduleReconnect(long delayMillis) {
    if (closed || !reconnecting.compareAndSet(false, true)) {
      return;
    }
    try {
      maintenance.schedule(this::reconnect, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      reconnecting.set(false);
    }
  }

  private void reconnect() {
    if (closed) {
      reconnecting.set(false);
      return;
    }
    StatefulRedisConnection<String, byte[]> c = null;
    try {
      c = client.connect(CODEC);
      c.sync().scriptLoad(script);
      conn = c;
      backoffMillis = MIN_BACKOFF_MILLIS;
      reconnecting.set(false);
      if (outage.compareAndSet(true, false)) {
        LOG.log(Level.INFO, "Redis at {0} reachable again: publishing resumed", options.safeUri());
      }
    } catch (RuntimeException e) {
      if (c != null && c.isOpen()) {
        c.closeAsync();
      }
      LOG.log(Level.DEBUG, "Redis reconnect failed: {0}", Reasons.oneLine(e));
      long delay = backoffMillis;
      backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
      try {
        maintenance.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException shuttingDown) {
        reconnecting.set(false);
      }
    }
  }

  private TransportUnavailableException unavailable(Throwable cause) {
    if (connection() == null && !closed) {
      // Covers a connection that broke without a command noticing (e.g. idle when Redis died).
      StatefulRedisConnection<String, byte[]> c = conn;
      if (c != null) {
        connectionLost(c, cause == null ? new IOException("connection closed") : cause);
      } else {
        scheduleReconnect(0);
      }
    }
    String why = cause == null ? "not connected" : Reasons.oneLine(cause);
    return new TransportUnavailableException("Redis unavailable: " + why, cause);
  }

  static boolean isConnectionFailure(Throwable e) {
    return e instanceof RedisConnectionException
        || e instanceof RedisCommandTimeoutException
        || e instanceof IOException
        || (e.getMessage() != null && e.getMessage().contains("Connection closed"));
  }

  static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static byte[] ascii(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  private static String loadScript() {
    try (InputStream in = RedisTransport.class.getResourceAsStream("append.lua")) {
      if (in == null) {
        throw new IllegalStateException("append.lua missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Finishes the publishes already queued, waits (a command timeout at most) until the reader has
   * dispatched every update this node acknowledged, so that a graceful shutdown delivers them to
   * its open streams, then stops reading and disconnects.
   */
  @Override
  public void close() {
    closed = true;
    commits.close();
    try {
      long wait = options.commandTimeout().toMillis() + 1000;
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
      while (reader.lastSequence() < maxAcked.get() && reader.isRunning() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reader.close();
    maintenance.shutdownNow();
    StatefulRedisConnection<String, byte[]> c = conn;
    conn = null;
    if (c != null && c.isOpen()) {
      c.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
