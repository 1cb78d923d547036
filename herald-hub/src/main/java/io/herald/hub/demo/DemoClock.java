package io.herald.hub.demo;

import io.herald.core.transport.Transport;
import io.herald.core.update.Update;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The seed example of SSE: the hub publishes the current time every second on {@code
 * demo/clock} ({@code --demo}), through the same transport as any publisher, so the clock on
 * the hub's page exercises the whole path of an update.
 *
 * <p>It runs on the hub's timer ({@code Workers.scheduler}): if a tick ever threw, the clock would
 * stop for good, so that is reported as fatal rather than left to look like a quiet hub.
 */
public final class DemoClock implements AutoCloseable {
  public static final String TOPIC = "demo/clock";

  private final ScheduledFuture<?> task;

  public DemoClock(Transport transport, ScheduledExecutorService scheduler) {
    this.task = scheduler.scheduleAtFixedRate(() -> {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      String data = "{\"time\":\"" + now + "\"}";
      transport.publish(new Update("urn:uuid:" + UUID.randomUUID(), List.of(TOPIC), data, null, -1, false, 0));
    }, 0, 1, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
