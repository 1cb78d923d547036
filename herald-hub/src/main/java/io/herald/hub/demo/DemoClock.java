package io.herald.hub.demo;

import io.herald.core.auth.Grants;
import io.herald.hub.publish.PublishDraft;
import io.herald.hub.publish.PublishService;
import io.herald.hub.publish.Publisher;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The seed example of SSE: the hub publishes the current time every second on {@code
 * demo/clock} ({@code --demo}), through the same {@link PublishService} as any publisher and
 * under the same rules, with grants for {@code demo/clock} alone, so the clock on the hub's page
 * exercises the whole path of an update.
 *
 * <p>It runs on the hub's timer ({@code Workers.scheduler}): if a tick ever threw, the clock would
 * stop for good, so that is reported as fatal rather than left to look like a quiet hub.
 */
public final class DemoClock implements AutoCloseable {
  public static final String TOPIC = "demo/clock";

  /** The clock's principal: it may publish on its topic and nowhere else. */
  static final Publisher PUBLISHER =
      Publisher.feature("demo clock", new Grants(List.of(TOPIC), List.of(), null, null));

  private final ScheduledFuture<?> task;

  public DemoClock(PublishService publishing, ScheduledExecutorService scheduler) {
    this.task = scheduler.scheduleAtFixedRate(() -> {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      String data = "{\"time\":\"" + now + "\"}";
      publishing.publish(PUBLISHER, PublishDraft.of(List.of(TOPIC), data, false));
    }, 0, 1, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
