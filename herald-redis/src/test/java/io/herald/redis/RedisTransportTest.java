package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.history.ReplayStart;
import io.herald.core.transport.PublishResult;
import io.herald.core.transport.PublishResult.Outcome;
import io.herald.core.transport.TransportUnavailableException;
import io.herald.core.transport.UpdateListener;
import io.herald.core.update.Update;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transport and its history against a real redis-server, without a hub. */
class RedisTransportTest {
  @TempDir Path dir;
  RedisServer redis;
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    redis.close();
  }

  RedisTransport transport(RedisOptions options, UpdateListener listener) {
    RedisTransport t = RedisTransport.connect(options);
    open.add(t);
    if (listener != null) {
      t.dispatchTo(listener);
    }
    return t;
  }

  static Update update(String id, String topic, String data) {
    return new Update(id, List.of(topic), data, null, -1, false, 0);
  }

  static final class Recorder implements UpdateListener {
    final List<Update> updates = new CopyOnWriteArrayList<>();
    final AtomicInteger resets = new AtomicInteger();

    @Override
    public void onUpdate(Update u) {
      updates.add(u);
    }

    @Override
    public void onReset() {
      resets.incrementAndGet();
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void theListenerIsSetOnceBeforeTheFirstPublish() throws Exception {
    Recorder first = new Recorder();
    RedisTransport t = transport(RedisOptions.of(redis.uri()), first);
    assertThatThrownBy(() -> t.dispatchTo(new Recorder())).isInstanceOf(IllegalStateException.class);
    t.publish(update("a", "t", "d")).get(10, TimeUnit.SECONDS);
    await(() -> first.updates.size() == 1, "the delivery to the listener set first");
    RedisTransport late = transport(RedisOptions.of(redis.uri()), null);
    late.publish(update("b", "t", "d")).get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> late.dispatchTo(new Recorder())).isInstanceOf(IllegalStateException.class);
  }

  /** Data line breaks are normalised when an update is made: a CRLF retry of an LF publish is a retry. */
  @Test
  void aRetryWithCrlfDataOfAnLfPublishIsADuplicateNotAConflict() throws Exception {
    Recorder delivered = new Recorder();
    RedisTransport t = transport(RedisOptions.of(redis.uri()), delivered);
    PublishResult first = t.publish(update("mine", "t", "one\ntwo"), true).get(10, TimeUnit.SECONDS);
    PublishResult again = t.publish(update("mine", "t", "one\r\ntwo"), true).get(10, TimeUnit.SECONDS);
    assertThat(first.outcome()).isEqualTo(Outcome.STORED);
    assertThat(again.outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(again.update()).isEqualTo(first.update());
    await(() -> delivered.updates.size() == 1, "the one delivery");
    assertThat(t.history().read(0, 10, 10)).containsExactly(first.update());
  }

  @Test
  void concurrentPublishesGetDenseSequencesAndEveryNodeSeesTheSameOrder() throws Exception {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    RedisTransport ta = transport(RedisOptions.of(redis.uri()), a);
    RedisTransport tb = transport(RedisOptions.of(redis.uri()), b);
    List<CompletableFuture<Update>> acks = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      Update u = new Update("id-" + i, List.of("t/" + (i % 7), "alt/" + i), i % 3 == 0 ? null : "line1\nline2 é " + i,
          i % 5 == 0 ? "kind" : null, i % 11 == 0 ? 1234 : -1, i % 2 == 0, 0);
      acks.add((i % 2 == 0 ? ta : tb).publish(u));
    }
    List<Long> sequences = new ArrayList<>();
    for (CompletableFuture<Update> f : acks) {
      sequences.add(f.get(30, TimeUnit.SECONDS).sequence());
    }
    assertThat(sequences).doesNotHaveDuplicates().allMatch(s -> s >= 1 && s <= 2000);
    // Batched: far fewer script runs than updates (each run appends a whole batch).
    assertThat(redis.calls("evalsha") + redis.calls("eval")).isLessThan(1000);
    await(() -> a.updates.size() == 2000 && b.updates.size() == 2000, "2000 deliveries on both nodes");
    assertThat(b.updates).isEqualTo(a.updates);
    for (int i = 0; i < 2000; i++) {
      assertThat(a.updates.get(i).sequence()).isEqualTo(i + 1);
    }
    // What was published is what is delivered, field for field.
    for (int i = 0; i < acks.size(); i++) {
      Update acked = acks.get(i).get();
      assertThat(a.updates.get((int) acked.sequence() - 1)).isEqualTo(acked);
    }
    assertThat(a.resets).hasValue(0);

    // History: exact ranges, locate by event ID, from either node.
    assertThat(tb.history().lastSequence()).isEqualTo(2000);
    assertThat(ta.history().read(10, 20, 100)).extracting(Update::sequence)
        .containsExactly(11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);
    assertThat(ta.history().read(0, 2000, 128)).hasSize(128).isEqualTo(a.updates.subList(0, 128));
    assertThat(ta.history().read(1990, 5000, 128)).hasSize(10);
    assertThat(ta.history().read(20, 20, 128)).isEmpty();
    Update u100 = a.updates.get(99);
    assertThat(tb.history().locate(u100.id())).isEqualTo(new ReplayStart(100, u100.id()));
    assertThat(tb.history().locate("never-published").isEarliest()).isTrue();
    assertThat(ta.history().lastEventId()).isEqualTo(a.updates.get(1999).id());
  }

  @Test
  void retentionByCountTrimsTheStreamAndItsIndexTogether() throws Exception {
    Recorder a = new Recorder();
    RedisTransport t = transport(RedisOptions.of(redis.uri()).withRetention(50, Duration.ZERO), a);
    for (int i = 1; i <= 300; i++) {
      t.publish(update("e" + i, "t", "d" + i)).get(10, TimeUnit.SECONDS);
    }
    assertThat(t.history().read(0, 300, 1000)).extracting(Update::sequence)
        .containsExactlyElementsOf(range(251, 300));
    assertThat(t.history().locate("e250").isEarliest()).isTrue();
    assertThat(t.history().locate("e251")).isEqualTo(new ReplayStart(251, "e251"));
    assertThat(redis.command("HLEN {herald}:ids")).isEqualTo(":50");
    assertThat(redis.command("XLEN {herald}:updates")).isEqualTo(":50");
  }

  @Test
  void aRepublishedIdLocatesItsNewestEntryAndSurvivesTrimmingOfTheOldOne() throws Exception {
    RedisTransport t = transport(RedisOptions.of(redis.uri()).withRetention(3, Duration.ZERO), new Recorder());
    t.publish(update("dup", "t", "1")).get(10, TimeUnit.SECONDS);
    t.publish(update("x", "t", "2")).get(10, TimeUnit.SECONDS);
    t.publish(update("dup", "t", "3")).get(10, TimeUnit.SECONDS);
    t.publish(update("y", "t", "4")).get(10, TimeUnit.SECONDS); // trims the first "dup"
    assertThat(t.history().locate("dup")).isEqualTo(new ReplayStart(3, "dup"));
  }

  @Test
  void aPublisherIdTakenOnAnyNodeConflictsAndAnIdenticalRetryIsStoredAndDeliveredOnce() throws Exception {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    RedisTransport ta = transport(RedisOptions.of(redis.uri()), a);
    RedisTransport tb = transport(RedisOptions.of(redis.uri()), b);
    PublishResult first = ta.publish(update("b-1", "B", "one"), true).get(10, TimeUnit.SECONDS);
    assertThat(first.outcome()).isEqualTo(Outcome.STORED);
    PublishResult hijack = tb.publish(update("b-1", "A", "one"), true).get(10, TimeUnit.SECONDS);
    assertThat(hijack.outcome()).isEqualTo(Outcome.CONFLICT);
    Update retried = new Update("b-1", List.of("B"), "one", null, 5, false, 0);
    assertThat(tb.publish(retried, true).get(10, TimeUnit.SECONDS).outcome())
        .as("retry is part of the update: another value is another update").isEqualTo(Outcome.CONFLICT);
    PublishResult retry = tb.publish(update("b-1", "B", "one"), true).get(10, TimeUnit.SECONDS);
    assertThat(retry.outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(retry.update()).isEqualTo(first.update());
    ta.publish(update("b-2", "B", "two"), true).get(10, TimeUnit.SECONDS);
    await(() -> a.updates.size() == 2 && b.updates.size() == 2, "two deliveries on both nodes");
    assertThat(a.updates).extracting(Update::id).containsExactly("b-1", "b-2");
    assertThat(b.updates).isEqualTo(a.updates);
    assertThat(tb.history().locate("b-1")).isEqualTo(new ReplayStart(1, "b-1"));
    assertThat(tb.history().find("b-1")).isEqualTo(first.update());
  }

  @Test
  void publishesWithOneIdInOneScriptRunAreCheckedAgainstEachOther() throws Exception {
    Recorder a = new Recorder();
    RedisTransport t = transport(RedisOptions.of(redis.uri()), a);
    List<CompletableFuture<PublishResult>> copies = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      copies.add(t.publish(update("x", "t", "same"), true));
      copies.add(t.publish(update("x", "t", "other " + i), true));
    }
    long stored = copies.get(0).get(10, TimeUnit.SECONDS).update().sequence();
    for (int i = 0; i < copies.size(); i++) {
      PublishResult r = copies.get(i).get(10, TimeUnit.SECONDS);
      if (i == 0) {
        assertThat(r.outcome()).isEqualTo(Outcome.STORED);
      } else if (i % 2 == 0) {
        assertThat(r.outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(r.update().sequence()).isEqualTo(stored);
      } else {
        assertThat(r.outcome()).isEqualTo(Outcome.CONFLICT);
      }
    }
    assertThat(redis.calls("evalsha") + redis.calls("eval")).as("batched").isLessThan(copies.size());
    t.publish(update("end", "t", null), true).get(10, TimeUnit.SECONDS);
    await(() -> a.updates.size() == 2, "two deliveries");
    assertThat(a.updates).extracting(Update::id).containsExactly("x", "end");
  }

  @Test
  void anIdWhoseEntryWasTrimmedMayBeUsedAgain() throws Exception {
    RedisTransport t = transport(RedisOptions.of(redis.uri()).withRetention(2, Duration.ZERO), new Recorder());
    t.publish(update("old", "t", "1"), true).get(10, TimeUnit.SECONDS);
    t.publish(update("n-1", "t", null), true).get(10, TimeUnit.SECONDS);
    t.publish(update("n-2", "t", null), true).get(10, TimeUnit.SECONDS);
    PublishResult reused = t.publish(update("old", "other", "2"), true).get(10, TimeUnit.SECONDS);
    assertThat(reused.outcome()).isEqualTo(Outcome.STORED);
    assertThat(t.history().locate("old")).isEqualTo(new ReplayStart(4, "old"));
  }

  static Update hubEvent(int i) {
    return new Update("urn:uuid:event-" + i,
        List.of("/.well-known/mercure/subscriptions/t" + i + "/urn%3Auuid%3As"), "{}", null, -1, true, 0);
  }

  /** Issue 14, finding 11: subscription events have their own bound and never evict updates. */
  @Test
  void hubEventsNeverPushApplicationUpdatesOutAndHaveTheirOwnBound() throws Exception {
    Recorder a = new Recorder();
    RedisTransport t = transport(
        RedisOptions.of(redis.uri()).withRetention(10, Duration.ZERO).withMaxEvents(50), a);
    for (int i = 1; i <= 5; i++) {
      t.publish(update("a" + i, "t", "d" + i), true).get(10, TimeUnit.SECONDS);
    }
    List<CompletableFuture<Update>> events = new ArrayList<>();
    for (int i = 0; i < 1200; i++) { // 12 subscribe requests x 100 topics
      events.add(t.publish(hubEvent(i)));
    }
    for (CompletableFuture<Update> e : events) {
      e.get(10, TimeUnit.SECONDS);
    }
    t.publish(update("a6", "t", "d6"), true).get(10, TimeUnit.SECONDS);
    // The acknowledged updates are all still there, and replay from one gets the rest in order.
    assertThat(t.history().locate("a1")).isEqualTo(new ReplayStart(1, "a1"));
    List<Update> after = t.history().read(1, Long.MAX_VALUE, 1000);
    assertThat(after).extracting(Update::id).startsWith("a2", "a3", "a4", "a5").endsWith("a6");
    // Only the newest 50 events are kept, gap or no gap, and they are replayed from too.
    assertThat(after).hasSize(4 + 50 + 1);
    assertThat(after.get(4).id()).isEqualTo("urn:uuid:event-1150");
    assertThat(t.history().locate("urn:uuid:event-1149").isEarliest()).isTrue();
    ReplayStart fromEvent = t.history().locate("urn:uuid:event-1190");
    assertThat(t.history().read(fromEvent.afterSequence(), Long.MAX_VALUE, 100)).extracting(Update::id)
        .hasSize(10).endsWith("urn:uuid:event-1199", "a6");
    // Events deleted before this node read them leave gaps it skips without a reset: every
    // application update is delivered, in order, and no subscriber is made to reconnect.
    await(() -> a.updates.stream().anyMatch(u -> u.id().equals("a6")), "a6 delivered");
    assertThat(a.updates).filteredOn(u -> u.id().startsWith("a")).extracting(Update::id)
        .containsExactly("a1", "a2", "a3", "a4", "a5", "a6");
    assertThat(a.resets).hasValue(0);
    assertThat(redis.command("XLEN {herald}:updates")).isEqualTo(":56");
    assertThat(redis.command("HLEN {herald}:ids")).isEqualTo(":56");
    // The count bound still holds for application updates, events older than them go too.
    for (int i = 7; i <= 30; i++) {
      t.publish(update("a" + i, "t", null), true).get(10, TimeUnit.SECONDS);
    }
    assertThat(t.history().read(0, Long.MAX_VALUE, 1000)).extracting(Update::id)
        .containsExactlyElementsOf(range(21, 30).stream().map(n -> "a" + n).toList());
    assertThat(redis.command("LLEN {herald}:events")).isEqualTo(":0");

  }

  @Test
  void retentionByAgeAlsoRunsWithoutPublishes() throws Exception {
    RedisTransport t = transport(RedisOptions.of(redis.uri()).withRetention(0, Duration.ofMillis(300)), new Recorder());
    for (int i = 1; i <= 20; i++) {
      t.publish(update("e" + i, "t", "d")).get(10, TimeUnit.SECONDS);
    }
    await(() -> "0".equals(redis.command("XLEN {herald}:updates").substring(1))
        && ":0".equals(redis.command("HLEN {herald}:ids")), "age retention to empty the stream");
    assertThat(t.history().locate("e20").isEarliest()).isTrue();
    // Sequences go on after the stream emptied.
    assertThat(t.publish(update("e21", "t", "d")).get(10, TimeUnit.SECONDS).sequence()).isEqualTo(21);
  }

  @Test
  void aNodeThatFellBehindRetentionIsResetThenGoesOnWithWhatIsLeft() throws Exception {
    Recorder fast = new Recorder();
    Recorder slow = new Recorder();
    RedisOptions options = RedisOptions.of(redis.uri()).withRetention(10, Duration.ZERO);
    RedisTransport a = transport(options, fast);
    RedisTransport b = transport(options, slow);
    a.publish(update("e1", "t", "d")).get(10, TimeUnit.SECONDS);
    await(() -> slow.updates.size() == 1, "first delivery on the slow node");
    b.pauseReading(true);
    for (int i = 2; i <= 100; i++) {
      a.publish(update("e" + i, "t", "d")).get(10, TimeUnit.SECONDS);
      int n = i;
      await(() -> fast.updates.size() == n, "the fast node to keep up"); // it must not fall behind too
    }
    b.pauseReading(false);
    await(() -> !slow.updates.isEmpty() && slow.updates.get(slow.updates.size() - 1).sequence() == 100,
        "the slow node to deliver what is left");
    assertThat(slow.resets).hasValue(1);
    // A read in flight when the pause began may have delivered a few more before the gap.
    int before = slow.updates.size() - 10;
    assertThat(before).isBetween(1, 5);
    assertThat(slow.updates).extracting(Update::sequence)
        .containsExactlyElementsOf(concat(range(1, before), range(91, 100)));
    assertThat(fast.resets).hasValue(0);
    assertThat(fast.updates).hasSize(100);
  }

  @Test
  void withRedisDownPublishesFailFastAndNothingIsDeliveredThenEverythingResumes() throws Exception {
    Path aof = dir.resolve("aof");
    java.nio.file.Files.createDirectories(aof);
    redis.close();
    redis = RedisServer.start(aof, "--save", "", "--appendonly", "yes", "--appendfsync", "always");
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    RedisTransport ta = transport(RedisOptions.of(redis.uri()).withCommandTimeout(Duration.ofSeconds(2)), a);
    RedisTransport tb = transport(RedisOptions.of(redis.uri()).withCommandTimeout(Duration.ofSeconds(2)), b);
    ta.publish(update("before", "t", "d")).get(10, TimeUnit.SECONDS);
    redis.kill();
    // Until the transport notices, a publish may fail with the broken connection; after, at once.
    await(() -> {
      try {
        ta.publish(update("during", "t", "d")).get(10, TimeUnit.SECONDS);
        return false;
      } catch (ExecutionException e) {
        return e.getCause() instanceof TransportUnavailableException && !ta.isAvailable();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "publishes to fail with TransportUnavailableException");
    assertThatThrownBy(() -> tb.publish(update("during-b", "t", "d")).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TransportUnavailableException.class);
    redis.start();
    await(() -> ta.isAvailable() && tb.isAvailable(), "both transports to reconnect");
    Update after = ta.publish(update("after", "t", "d")).get(10, TimeUnit.SECONDS);
    assertThat(after.sequence()).isEqualTo(2);
    await(() -> a.updates.size() == 2 && b.updates.size() == 2, "delivery after the outage");
    assertThat(b.updates).extracting(Update::id).containsExactly("before", "after");
    assertThat(a.resets).hasValue(0);
  }

  @Test
  void anIdleNodeNoticesAnOutageAndItsEndWithoutAnyPublish() throws Exception {
    RedisTransport t = transport(RedisOptions.of(redis.uri()), new Recorder());
    assertThat(t.isAvailable()).isTrue();
    redis.kill();
    await(() -> !t.isAvailable(), "the transport to report Redis unavailable");
    redis.start();
    await(t::isAvailable, "the transport to reconnect by itself");
  }

  @Test
  void aPasswordInTheUrlIsUsedAndNeverLogged() throws Exception {
    redis.close();
    Path secured = java.nio.file.Files.createDirectories(dir.resolve("secured"));
    redis = RedisServer.start(secured, "--save", "", "--appendonly", "no", "--requirepass", "s3cret-pass");
    String base = "127.0.0.1:" + redis.port();
    assertThatThrownBy(() -> RedisTransport.connect(RedisOptions.of("redis://" + base)))
        .isInstanceOf(TransportUnavailableException.class);
    assertThatThrownBy(() -> RedisTransport.connect(RedisOptions.of("redis://:wrong@" + base)))
        .isInstanceOf(TransportUnavailableException.class)
        .hasMessageNotContaining("wrong");
    Recorder r = new Recorder();
    RedisTransport t = transport(RedisOptions.of("redis://:s3cret-pass@" + base), r);
    assertThat(t.options().safeUri()).isEqualTo("redis://***@" + base);
    t.publish(update("p1", "t", "d")).get(10, TimeUnit.SECONDS);
    await(() -> r.updates.size() == 1, "delivery with a password");
    // An ACL user (Redis 6+) in the URL.
    assertThat(redis.command("AUTH s3cret-pass")).isEqualTo("+OK");
    RedisTransport u = transport(RedisOptions.of("redis://default:s3cret-pass@" + base), new Recorder());
    assertThat(u.history().locate("p1")).isEqualTo(new ReplayStart(1, "p1"));
  }

  @Test
  void redissSpeaksTlsAndVerifiesTheServerByDefault() throws Exception {
    redis.close();
    Path tlsDir = java.nio.file.Files.createDirectories(dir.resolve("tls"));
    redis = RedisServer.startTls(tlsDir);
    String base = "127.0.0.1:" + redis.port();
    // Verification is on by default: a self-signed certificate the JVM does not trust is refused.
    assertThatThrownBy(() -> RedisTransport.connect(RedisOptions.of("rediss://" + base)))
        .isInstanceOf(TransportUnavailableException.class);
    Recorder r = new Recorder();
    RedisTransport t = transport(RedisOptions.of("rediss://" + base + "?verifyPeer=NONE"), r);
    t.publish(update("tls1", "t", "over TLS")).get(10, TimeUnit.SECONDS);
    await(() -> r.updates.size() == 1, "delivery over TLS");
    assertThat(r.updates.get(0).data()).isEqualTo("over TLS");
  }

  static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }

  static List<Long> concat(List<Long> a, List<Long> b) {
    List<Long> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
