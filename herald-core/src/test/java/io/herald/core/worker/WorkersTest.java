package io.herald.core.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rules of {@link Workers}: what reaches the fatal handler, and what only gets logged. */
class WorkersTest {
  private final LinkedBlockingQueue<String> fatal = new LinkedBlockingQueue<>();
  private FatalErrors.Handler previous;

  @BeforeEach
  void record() {
    previous = FatalErrors.install((thread, cause) -> fatal.add(thread.getName() + ": " + cause));
  }

  @AfterEach
  void restore() {
    FatalErrors.install(previous);
  }

  @Test
  void anythingEscapingADedicatedThreadIsFatal() throws Exception {
    Thread t = Workers.thread("test-loop", () -> {
      throw new IllegalStateException("loop broke");
    });
    assertThat(t.isDaemon()).isTrue();
    t.start();
    t.join(10_000);
    assertThat(fatal.poll(10, TimeUnit.SECONDS)).isEqualTo("test-loop: java.lang.IllegalStateException: loop broke");
  }

  @Test
  void aPoolSurvivesATaskExceptionButNotAnError() throws Exception {
    ExecutorService pool = Workers.pool("test-pool", 1);
    try {
      pool.execute(() -> {
        throw new IllegalArgumentException("one bad task");
      });
      CountDownLatch ran = new CountDownLatch(1);
      pool.execute(ran::countDown);
      assertThat(ran.await(10, TimeUnit.SECONDS)).as("the pool went on").isTrue();
      pool.execute(() -> {
        throw new StackOverflowError("deep");
      });
      String report = fatal.poll(10, TimeUnit.SECONDS);
      assertThat(report).startsWith("test-pool-").endsWith(": java.lang.StackOverflowError: deep");
      assertThat(fatal).as("the task exception was not fatal").isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aPeriodicTaskThatThrowsIsFatalAOneShotExceptionIsNot() throws Exception {
    ScheduledExecutorService timer = Workers.scheduler("test-timer");
    try {
      timer.schedule(() -> {
        throw new IllegalArgumentException("one-shot");
      }, 0, TimeUnit.MILLISECONDS);
      List<Integer> runs = new CopyOnWriteArrayList<>();
      timer.scheduleWithFixedDelay(() -> {
        runs.add(runs.size());
        if (runs.size() == 2) {
          throw new IllegalStateException("tick failed");
        }
      }, 0, 10, TimeUnit.MILLISECONDS);
      assertThat(fatal.poll(10, TimeUnit.SECONDS))
          .isEqualTo("test-timer-1: java.lang.IllegalStateException: tick failed");
      assertThat(fatal).isEmpty();
    } finally {
      timer.shutdownNow();
    }
  }
}
