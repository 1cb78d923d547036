package io.herald.hub.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.auth.Authorization;
import io.herald.core.auth.Grants;
import io.herald.core.history.MemoryHistory;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.transport.HistoryTransport;
import io.herald.core.transport.PublishResult;
import io.herald.core.update.Update;
import io.herald.core.update.UpdateRules;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The publish service on a real single-node transport: every outcome, who may write in the
 * reserved namespace, and that nothing refused is stored or dispatched.
 */
class PublishServiceTest {
  private static final String TOPIC = "https://example.com/books/1";
  private static final Publisher CLIENT =
      Publisher.client(new Grants(List.of("https://example.com/books/{id}"), List.of(), null, null));

  private final MemoryHistory history = new MemoryHistory(100);
  private final HistoryTransport transport = new HistoryTransport(history);
  private final List<Update> dispatched = new ArrayList<>();
  private final PublishCounters counters = new PublishCounters();
  private final PublishService service;

  PublishServiceTest() {
    transport.dispatchTo(u -> {
      synchronized (dispatched) {
        dispatched.add(u);
        dispatched.notifyAll();
      }
    });
    service = new PublishService(
        transport, new Authorization(new TopicMatcher()), new UpdateRules(2, 64), counters);
  }

  @AfterEach
  void close() {
    transport.close();
  }

  private PublishOutcome publish(Publisher publisher, PublishDraft draft) throws Exception {
    return service.publish(publisher, draft).get(10, TimeUnit.SECONDS);
  }

  /**
   * The topics of every update dispatched so far: a marker is published last and, dispatch being
   * in sequence order, everything before it has been handed over once it arrives.
   */
  private List<String> dispatchedTopics() throws Exception {
    String marker = "https://example.com/books/marker";
    assertThat(publish(Publisher.feature("marker", new Grants(List.of(marker), List.of(), null, null)),
        draft(marker, "", null))).isInstanceOf(PublishOutcome.Published.class);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    synchronized (dispatched) {
      while (dispatched.stream().noneMatch(u -> u.topic().equals(marker)) && System.nanoTime() < deadline) {
        dispatched.wait(100);
      }
      List<String> topics = new ArrayList<>();
      for (Update u : dispatched) {
        if (!u.topic().equals(marker)) {
          topics.add(u.topic());
        }
      }
      return topics;
    }
  }

  private static PublishDraft draft(String topic, String data, String id) {
    return new PublishDraft(List.of(topic), data, id, null, null, false);
  }

  @Test
  void aValidUpdateIsStoredAndTheIdReturned() throws Exception {
    PublishOutcome outcome = publish(CLIENT, draft(TOPIC, "hello", null));

    assertThat(outcome).isInstanceOfSatisfying(PublishOutcome.Published.class, p -> {
      assertThat(p.id()).startsWith("urn:uuid:");
      assertThat(p.duplicate()).isFalse();
      assertThat(history.lastSequence()).isEqualTo(1);
    });
    assertThat(counters.acceptedCount()).isEqualTo(1);
  }

  @Test
  void aRetryIsADuplicateAndAnotherUpdateUnderTheIdAConflict() throws Exception {
    assertThat(publish(CLIENT, draft(TOPIC, "hello", "book-1")))
        .isEqualTo(new PublishOutcome.Published("book-1", false));
    assertThat(publish(CLIENT, draft(TOPIC, "hello", "book-1")))
        .isEqualTo(new PublishOutcome.Published("book-1", true));
    assertThat(publish(CLIENT, draft(TOPIC, "changed", "book-1")))
        .isEqualTo(new PublishOutcome.Conflict(PublishResult.CONFLICT_REASON));

    assertThat(history.lastSequence()).isEqualTo(1);
    assertThat(counters.acceptedCount()).isEqualTo(1);
    assertThat(counters.duplicateCount()).isEqualTo(1);
    assertThat(counters.conflictCount()).isEqualTo(1);
    assertThat(counters.refusedCount()).isZero();
  }

  @Test
  void brokenRulesAreInvalidWithTheRulesReason() throws Exception {
    assertThat(publish(CLIENT, new PublishDraft(null, "x", null, null, null, false)))
        .isEqualTo(new PublishOutcome.Invalid("missing \"topic\" parameter"));
    assertThat(publish(CLIENT, draft(TOPIC, "x", "a\nid: forged")))
        .isEqualTo(new PublishOutcome.Invalid("\"id\" must not contain CR, LF or NUL"));
    assertThat(publish(CLIENT, draft(TOPIC, "x", "a\rb")))
        .isEqualTo(new PublishOutcome.Invalid("\"id\" must not contain CR, LF or NUL"));
    assertThat(publish(CLIENT, new PublishDraft(List.of(TOPIC), "x", null, "t\n", null, false)))
        .isEqualTo(new PublishOutcome.Invalid("\"type\" must not contain CR, LF or NUL"));

    assertThat(history.lastSequence()).isZero();
    assertThat(counters.refusedCount()).isEqualTo(4);
  }

  @Test
  void topicsTheGrantsDoNotAllowAreForbidden() throws Exception {
    assertThat(publish(CLIENT, new PublishDraft(List.of(TOPIC, "https://example.com/authors/1"), "x", null, null,
        null, false)))
        .isEqualTo(new PublishOutcome.Forbidden("token does not allow publishing to these topics"));
    assertThat(history.lastSequence()).isZero();
    assertThat(counters.refusedCount()).isEqualTo(1);
  }

  @Test
  void anUpdateTheTransportCannotStoreIsUnavailable() throws Exception {
    transport.close();
    assertThat(publish(CLIENT, draft(TOPIC, "x", null)))
        .isEqualTo(new PublishOutcome.Unavailable("hub is shutting down"));
    assertThat(counters.failedCount()).isEqualTo(1);
    assertThat(counters.refusedCount()).isZero();
  }

  @Test
  void onlyTheHubPublishesInItsReservedNamespace() throws Exception {
    String event = UpdateRules.RESERVED_PREFIX + "/subscriptions/x/y";
    Publisher everything = Publisher.client(new Grants(List.of("*"), List.of(), null, null));

    assertThat(publish(everything, draft(event, "forged", null)))
        .isEqualTo(new PublishOutcome.Invalid("topic \"/.well-known/mercure\" namespace is reserved"));
    assertThat(publish(Publisher.feature("any", new Grants(List.of("*"), List.of(), null, null)),
        draft(event, "forged", null)))
        .isInstanceOf(PublishOutcome.Invalid.class);
    assertThat(publish(Publisher.HUB, draft(event, "{}", null))).isInstanceOf(PublishOutcome.Published.class);

    assertThat(dispatchedTopics()).containsExactly(event);
    assertThat(counters.acceptedCount()).as("the hub's own updates are not clients' publishes").isZero();
  }

  @Test
  void theHubPublishesNowhereElseAndFollowsEveryOtherRule() throws Exception {
    assertThat(publish(Publisher.HUB, draft(TOPIC, "x", null)))
        .isEqualTo(new PublishOutcome.Forbidden(PublishService.HUB_OUTSIDE_NAMESPACE));
    assertThat(publish(Publisher.HUB, draft(UpdateRules.RESERVED_PREFIX + "/x", "x", "a\nb")))
        .isEqualTo(new PublishOutcome.Invalid("\"id\" must not contain CR, LF or NUL"));
    // Its topics embed a subscriber's selector percent-encoded, so they may exceed the cap.
    String longEvent = UpdateRules.RESERVED_PREFIX + "/subscriptions/" + "%2F".repeat(40);
    assertThat(publish(Publisher.HUB, draft(longEvent, "{}", null))).isInstanceOf(PublishOutcome.Published.class);
    assertThat(publish(CLIENT, draft(TOPIC + "/" + "a".repeat(64), "x", null)))
        .isInstanceOf(PublishOutcome.Invalid.class);
    assertThat(dispatchedTopics()).containsExactly(longEvent);
  }

  @Test
  void aFeatureHasItsGrantsAndNoMore() throws Exception {
    Publisher clock = Publisher.feature("clock", new Grants(List.of("demo/clock"), List.of(), null, null));
    assertThat(publish(clock, PublishDraft.of(List.of("demo/clock"), "{}", false)))
        .isInstanceOf(PublishOutcome.Published.class);
    assertThat(publish(clock, PublishDraft.of(List.of(TOPIC), "{}", false)))
        .isInstanceOf(PublishOutcome.Forbidden.class);
    assertThat(history.lastSequence()).isEqualTo(1);
    assertThat(counters.acceptedCount() + counters.refusedCount()).isZero();
  }
}
