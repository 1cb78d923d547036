package io.herald.hub.ops;

import io.herald.core.history.History;
import io.herald.core.transport.Transport;
import io.herald.hub.publish.PublishCounters;
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

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
