package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.cli.ServeProcessTest.Herald;
import io.herald.cli.ServeProcessTest.Sse;
import io.herald.hub.auth.TokenIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash safety of the durable history, against the real hub process: publishers hammer it, it is
 * killed with SIGKILL mid-stream, restarted on the same data directory, and every update that got
 * a 200 is replayed, in order; an update that got no answer is either there whole or not at all.
 */
class CrashRecoveryProcessTest {
  private static final String KEY = "crash-test-key-that-is-long-enough-for-hs256!!";
  private static final int PUBLISHERS = 4;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @ParameterizedTest
  @ValueSource(strings = {"always", "os"})
  void everyAcknowledgedUpdateSurvivesSigkill(String fsync) throws Exception {
    FormPublisher poster = new FormPublisher(http, new TokenIssuer(KEY).issue(List.of("*"), List.of()));
    String data = dir.resolve("data-" + fsync).toString();
    // Per publisher, in the order each got its 200 (each publisher waits for its answer).
    List<List<String>> acked = new ArrayList<>();
    Set<String> unanswered = ConcurrentHashMap.newKeySet();
    Map<String, String> payloadOf = new ConcurrentHashMap<>();

    try (Herald hub = Herald.serve(dir, Map.of(), "--publisher-jwt-key", KEY, "--anonymous",
        "--data-dir", data, "--fsync", fsync)) {
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < PUBLISHERS; p++) {
        List<String> mine = new CopyOnWriteArrayList<>();
        acked.add(mine);
        int publisher = p;
        Thread t = new Thread(() -> {
          for (int i = 0; ; i++) {
            String id = "p" + publisher + "-" + i;
            String payload = ("payload of " + id + " ").repeat(20);
            payloadOf.put(id, payload);
            try {
              HttpResponse<String> res = poster.publish(hub.hubUrl, "topic", "crash", "id", id, "data", payload);
              if (res.statusCode() != 200) {
                return;
              }
              mine.add(id);
            } catch (Exception killed) {
              unanswered.add(id);
              return;
            }
          }
        });
        t.start();
        threads.add(t);
      }
      while (acked.stream().mapToInt(List::size).sum() < 400) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
      hub.process.destroyForcibly(); // SIGKILL: no drain, no flush
      assertThat(hub.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(20));
      }
    }

    List<String> replayed = new ArrayList<>();
    try (Herald again = Herald.serve(dir, Map.of(), "--publisher-jwt-key", KEY, "--anonymous", "--data-dir", data);
        Sse stream = Sse.open(http, URI.create(again.hubUrl + "?topic=crash"), Map.of("Last-Event-ID", "earliest"))) {
      assertThat(poster.publish(again.hubUrl, "topic", "crash", "id", "marker", "data", "end").statusCode()).isEqualTo(200);
      while (true) {
        Sse.Event e = stream.nextData();
        if (e.id().equals("marker")) {
          break;
        }
        assertThat(e.data()).as("update %s is whole", e.id()).isEqualTo(payloadOf.get(e.id()));
        replayed.add(e.id());
      }
    }

    assertThat(replayed).doesNotHaveDuplicates();
    for (List<String> mine : acked) {
      // Each publisher's acknowledged updates are all there, in the order they were acknowledged.
      List<String> theirs = replayed.stream().filter(mine::contains).toList();
      assertThat(theirs).isEqualTo(mine);
    }
    int total = acked.stream().mapToInt(List::size).sum();
    List<String> extra = replayed.stream().filter(id -> acked.stream().noneMatch(l -> l.contains(id))).toList();
    assertThat(unanswered).containsAll(extra); // stored but the 200 was lost with the process
    assertThat(replayed).hasSize(total + extra.size());
  }

}
