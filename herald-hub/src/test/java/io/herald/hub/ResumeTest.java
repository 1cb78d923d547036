package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reconnection: Last-Event-ID, lastEventID, earliest, and the seam between replay and live. */
class ResumeTest {
  HubFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new HubFixture(b -> b.anonymous(true));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void lastEventIdHeaderReplaysWhatWasMissedThenGoesLive() throws Exception {
    f.publishOk("topic", "t", "id", "1");
    f.publishOk("topic", "t", "id", "2");
    f.publishOk("topic", "other", "id", "x");
    f.publishOk("topic", "t", "id", "3");
    try (SseStream s = f.subscribe(f.subscribeUri("t"), "Last-Event-ID", "1")) {
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue("1");
      assertThat(s.nextData().id()).isEqualTo("2");
      assertThat(s.nextData().id()).isEqualTo("3");
      f.publishOk("topic", "t", "id", "4");
      assertThat(s.nextData().id()).isEqualTo("4");
    }
  }

  @Test
  void queryParameterWorksAndHeaderWins() throws Exception {
    f.publishOk("topic", "t", "id", "1");
    f.publishOk("topic", "t", "id", "2");
    f.publishOk("topic", "t", "id", "3");
    try (SseStream s = f.subscribe(URI.create(f.subscribeUri("t") + "&lastEventID=2"))) {
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue("2");
      assertThat(s.nextData().id()).isEqualTo("3");
    }
    try (SseStream s = f.subscribe(URI.create(f.subscribeUri("t") + "&lastEventID=2"), "Last-Event-ID", "1")) {
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue("1");
      assertThat(s.nextData().id()).isEqualTo("2");
    }
  }

  @Test
  void earliestAndUnknownIdsReplayEverything() throws Exception {
    f.publishOk("topic", "t", "id", "1");
    f.publishOk("topic", "t", "id", "2");
    for (String from : List.of("earliest", "no-such-id", "x".repeat(5000))) {
      try (SseStream s = f.subscribe(f.subscribeUri("t"), "Last-Event-ID", from)) {
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.response.headers().firstValue("last-event-id")).hasValue("earliest");
        assertThat(s.nextData().id()).isEqualTo("1");
        assertThat(s.nextData().id()).isEqualTo("2");
      }
    }
  }

  @Test
  void resumingAtTheNewestIdReplaysNothingAndReportsThatId() throws Exception {
    f.publishOk("topic", "t", "id", "1");
    try (SseStream s = f.subscribe(f.subscribeUri("t"), "Last-Event-ID", "1")) {
      assertThat(s.response.headers().firstValue("last-event-id")).hasValue("1");
      f.publishOk("topic", "t", "id", "2");
      assertThat(s.nextData().id()).isEqualTo("2");
    }
  }

  @Test
  void privateUpdatesStayPrivateInReplay() throws Exception {
    f.publishOk("topic", "t", "id", "secret", "private", "1");
    f.publishOk("topic", "t", "id", "public");
    try (SseStream s = f.subscribe(f.subscribeUri("t"), "Last-Event-ID", "earliest")) {
      assertThat(s.nextData().id()).isEqualTo("public");
    }
    String token = HubFixture.token(List.of(), List.of("t"));
    try (SseStream s = f.subscribe(f.subscribeUri("t"), "Last-Event-ID", "earliest", "Authorization", "Bearer " + token)) {
      assertThat(s.nextData().id()).isEqualTo("secret");
      assertThat(s.nextData().id()).isEqualTo("public");
    }
  }

  @Test
  void replayAndLiveMeetWithNoGapAndNoDuplicateWhilePublishesKeepComing() throws Exception {
    for (int i = 0; i < 1000; i++) {
      f.publishOk("topic", "t", "id", "e" + i);
    }
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger next = new AtomicInteger(1000);
    List<Thread> publishers = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      Thread t = new Thread(() -> {
        try {
          while (running.get()) {
            int n = next.getAndIncrement();
            if (n >= 3000) {
              break;
            }
            f.publishOk("topic", "t", "id", "e" + n);
          }
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      t.start();
      publishers.add(t);
    }
    List<SseStream> resumers = new ArrayList<>();
    try {
      for (int r = 0; r < 5; r++) {
        resumers.add(f.subscribe(f.subscribeUri("t"), "Last-Event-ID", "e" + (r * 200)));
      }
      for (Thread t : publishers) {
        t.join();
      }
      // Publish order is the hub's sequence order, but two publishers race: read the real order
      // from a subscriber that saw everything from the start.
      List<String> all = new ArrayList<>();
      try (SseStream full = f.subscribe(f.subscribeUri("t"), "Last-Event-ID", "earliest")) {
        for (int i = 0; i < 3000; i++) {
          all.add(full.nextData().id());
        }
      }
      assertThat(all).doesNotHaveDuplicates().hasSize(3000);
      for (int r = 0; r < resumers.size(); r++) {
        int from = all.indexOf("e" + (r * 200)) + 1;
        List<String> expected = all.subList(from, all.size());
        List<String> got = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
          got.add(resumers.get(r).nextData().id());
        }
        assertThat(got).as("resumer %d", r).isEqualTo(expected);
      }
    } finally {
      running.set(false);
      for (SseStream s : resumers) {
        s.close();
      }
    }
  }
}
