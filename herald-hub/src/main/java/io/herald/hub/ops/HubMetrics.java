package io.herald.hub.ops;

import io.herald.core.history.History;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.transport.Transport;
import io.herald.hub.limits.LimitCounters;
import io.herald.hub.limits.Refusal;
import io.herald.hub.http.BodyBudget;
import io.herald.hub.http.ConnectionLimiter;
import io.herald.hub.http.FrontDoorCounters;
import io.herald.hub.publish.PublishCounters;
import io.herald.hub.subscribe.OutboundBudget;
import io.herald.hub.subscribe.SubscriberCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.function.ToDoubleFunction;

/**
 * The hub's Prometheus metrics ({@code GET /metrics}).
 *
 * <p>Nothing on the hot path touches a meter: the hub counts with its own lock-free counters
 * ({@link PublishCounters}, {@link SubscriberCounters}) and the meters here only read them when
 * scraped, so metrics cost nothing per delivery.
 */
public final class HubMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  public HubMetrics(
      PublishCounters publishes, SubscriberCounters subscribers, Transport transport) {
    gauge("herald.subscribers.connected", "Open event streams", subscribers, SubscriberCounters::connectedCount);
    gauge("herald.subscriptions", "Topic selectors of open streams", subscribers, SubscriberCounters::subscriptionCount);
    counter("herald.publishes", "Publishes by result", "result", "accepted", publishes, PublishCounters::acceptedCount);
    counter("herald.publishes", "Publishes by result", "result", "refused", publishes, PublishCounters::refusedCount);
    counter("herald.publishes", "Publishes by result", "result", "failed", publishes, PublishCounters::failedCount);
    counter("herald.publishes", "Publishes by result", "result", "duplicate", publishes, PublishCounters::duplicateCount);
    counter("herald.publishes", "Publishes by result", "result", "conflict", publishes, PublishCounters::conflictCount);
    counter("herald.deliveries", "Events written to subscribers (live and replayed)", null, null,
        subscribers, SubscriberCounters::deliveryCount);
    counter("herald.replayed", "Events sent from history to resuming subscribers", null, null,
        subscribers, SubscriberCounters::replayedCount);
    counter("herald.subscribers.dropped", "Subscribers disconnected by the hub", "reason", "slow",
        subscribers, SubscriberCounters::droppedSlowCount);
    counter("herald.subscribers.dropped", "Subscribers disconnected by the hub", "reason", "token_expired",
        subscribers, SubscriberCounters::expiredCount);
    History history = transport.history();
    gauge("herald.history.last.sequence", "Sequence of the newest stored update", history, History::lastSequence);
    gauge("herald.transport.available", "1 when publishes can be stored", transport, t -> t.isAvailable() ? 1 : 0);
    gauge("herald.transport.lag", "Updates stored but not yet dispatched", transport, Transport::lag);
    PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    gauge("herald.netty.direct.memory.used", "Bytes of direct memory held by Netty's pool", alloc,
        a -> a.metric().usedDirectMemory());
    gauge("herald.netty.heap.memory.used", "Bytes of heap memory held by Netty's pool", alloc,
        a -> a.metric().usedHeapMemory());
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    gc.bindTo(registry);
  }

  /**
   * Counts the requests refused by each request limit:
   * {@code herald_requests_limited_total{limit="publish_rate",by="address"}} and so on.
   */
  public void limits(LimitCounters limited) {
    for (Refusal.Limit limit : Refusal.Limit.values()) {
      for (Refusal.By by : Refusal.By.values()) {
        FunctionCounter.builder("herald.requests.limited", limited, c -> c.refusedCount(limit, by))
            .description("Requests refused with 429 by a request limit")
            .tag("limit", limit.label())
            .tag("by", by.label())
            .register(registry);
      }
    }
  }

  /** Registers the front door's meters: connections, bodies in flight, refusals and timeouts. */
  public void frontDoor(ConnectionLimiter connections, BodyBudget bodies, FrontDoorCounters c) {
    gauge("herald.connections.open", "Open client connections on the hub port", connections,
        ConnectionLimiter::open);
    counter("herald.connections.refused", "Connections closed at accept by a cap", "reason", "per_address",
        c, FrontDoorCounters::connectionsRefusedPerAddress);
    counter("herald.connections.refused", "Connections closed at accept by a cap", "reason", "total",
        c, FrontDoorCounters::connectionsRefusedTotal);
    counter("herald.requests.timed.out", "Connections or requests cut by a timeout", "phase", "header",
        c, FrontDoorCounters::headerTimeouts);
    counter("herald.requests.timed.out", "Connections or requests cut by a timeout", "phase", "body",
        c, FrontDoorCounters::bodyTimeouts);
    counter("herald.requests.timed.out", "Connections or requests cut by a timeout", "phase", "http2_idle",
        c, FrontDoorCounters::http2IdleCloses);
    gauge("herald.http.body.bytes.in.flight", "Bytes of request bodies being buffered", bodies,
        BodyBudget::inFlight);
    gauge("herald.http.body.bytes.in.flight.max", "Cap on bytes of request bodies being buffered",
        bodies, BodyBudget::maxBytes);
    counter("herald.request.bodies.refused", "Request bodies refused with 503", "reason", "in_flight",
        c, FrontDoorCounters::bodiesRefusedInFlight);
  }

  /** Gauges of what the topic matcher's byte-bounded caches weigh and of their budget. */
  public void matchCaches(TopicMatcher matcher) {
    gauge("herald.match.cache.bytes", "Weighed bytes of the topic matcher's caches", matcher,
        m -> m.templateCacheWeight() + m.resultCacheWeight());
    gauge("herald.match.cache.budget.bytes", "Budget of the topic matcher's caches", matcher,
        TopicMatcher::cacheBytes);
  }

  /** The current values in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  private <T> void gauge(String name, String help, T source, ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value).description(help).register(registry);
  }

  private <T> void counter(String name, String help, String tag, String tagValue, T source, ToDoubleFunction<T> value) {
    FunctionCounter.Builder<T> b = FunctionCounter.builder(name, source, value).description(help);
    if (tag != null) {
      b.tag(tag, tagValue);
    }
    b.register(registry);
  }

  /**
   * Adds the outbound budget: bytes queued for subscribers now, the limit, and the subscribers
   * dropped because their connection's or the hub's budget was spent.
   */
  public void bindOutbound(SubscriberCounters subscribers, OutboundBudget budget) {
    counter("herald.subscribers.dropped", "Subscribers disconnected by the hub", "reason", "budget",
        subscribers, SubscriberCounters::droppedBudgetCount);
    gauge("herald.outbound.queued.bytes", "Bytes queued for subscribers (with per-write overhead)",
        budget, OutboundBudget::total);
    gauge("herald.outbound.queued.max.bytes", "Limit of bytes queued for subscribers", budget, OutboundBudget::max);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
