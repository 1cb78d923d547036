package io.herald.hub.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.auth.Authorization;
import io.herald.core.auth.Grants;
import io.herald.core.subscriber.SubscriberIndex;
import io.herald.core.subscriber.Subscription;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.update.Update;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Differential test of the two ways an update finds its subscribers. The live path is the
 * per-loop {@link SubscriberIndex} that {@link LoopSubscribers} dispatches through (hash lookup of
 * exact selectors, pattern groups holding their compiled templates, the private check on the
 * grants); the replay path is {@link Authorization#canReceive} on each stored update, as {@link
 * Replay} asks it. A subscriber that resumes must get from history exactly what it would have got
 * live, or a reconnect would lose or leak updates. Both are asked about the same seeded random
 * subscribers (exact topics, URI templates of several operators, malformed templates, {@code *};
 * anonymous or with {@code mercure.subscribe} lists of the same kinds) and updates (one topic or
 * alternates, public or private), with subscribers leaving and joining between updates, and must
 * agree on every case; a disagreement prints the case.
 */
class LiveReplayRecipientsTest {
  private static final int ROUNDS = 400;
  private static final int SUBSCRIBERS = 12;
  private static final int UPDATES_PER_ROUND = 10;

  /** Topics updates are published to: a few resources, alternates, odd but valid IRIs. */
  private static final List<String> TOPICS = List.of(
      "https://example.com/books/1",
      "https://example.com/books/2",
      "https://example.com/books/1/reviews/9",
      "https://example.com/users/alice",
      "https://example.com/users/bob?tab=inbox",
      "https://example.com/users/%E2%82%AC",
      "https://other.example/books/1",
      "urn:isbn:0451450523",
      "/relative/topic",
      "https://example.com/books/{id}",
      "*");

  /** Selectors, for subscriptions and for {@code mercure.subscribe}. */
  private static final List<String> SELECTORS = List.of(
      "*",
      "https://example.com/books/1",
      "https://example.com/books/2",
      "https://example.com/users/alice",
      "https://example.com/users/bob?tab=inbox",
      "urn:isbn:0451450523",
      "https://example.com/books/{id}",
      "https://example.com/books/{id}/reviews/{review}",
      "https://example.com/{kind}/1",
      "https://example.com/users/{name}",
      "https://example.com/users/{name}{?tab}",
      "https://example.com{/segments*}",
      "{+anything}",
      "https://{host}/books/1",
      "https://example.com/books/{",
      "https://example.com/books/{id",
      "https://example.com/{a b}",
      "/relative/{x}",
      "https://example.com/nothing-publishes-here");

  private record Sub(int n, List<String> selectors, Grants grants) implements Subscription {
    @Override
    public String toString() {
      return "subscriber " + n + " selectors=" + selectors + " subscribe=" + grants.subscribe()
          + (grants.subscribe().isEmpty() ? " (anonymous)" : "");
    }
  }

  @Test
  void theIndexAndThePerUpdateCheckPickTheSameRecipients() {
    agree(new Random(15), new TopicMatcher());
  }

  @Test
  void theyAgreeWhenTheMatchCachesHoldNothing() {
    // The index keeps its own compiled templates; with no cache the matcher compiles each time.
    agree(new Random(1515), new TopicMatcher(0));
  }

  private void agree(Random random, TopicMatcher matcher) {
    Authorization authorization = new Authorization(matcher);
    SubscriberIndex<Sub> index = new SubscriberIndex<>(authorization);
    List<Sub> present = new ArrayList<>();
    int numbered = 0;
    int cases = 0;
    int delivered = 0;
    long sequence = 0;
    for (int round = 0; round < ROUNDS; round++) {
      // Some subscribers leave, others join: the index must stay right as groups empty and refill.
      for (int i = present.size() - 1; i >= 0; i--) {
        if (random.nextInt(4) == 0) {
          index.remove(present.remove(i));
        }
      }
      while (present.size() < SUBSCRIBERS) {
        Sub s = new Sub(numbered++, pick(random, 1 + random.nextInt(3)), grants(random));
        index.add(s);
        present.add(s);
      }
      for (int u = 0; u < UPDATES_PER_ROUND; u++) {
        Update update = update(random, ++sequence);
        Set<Sub> live = new LinkedHashSet<>();
        List<Sub> liveOrder = new ArrayList<>();
        index.forEachRecipient(update, s -> {
          live.add(s);
          liveOrder.add(s);
        });
        assertThat(liveOrder).as("each recipient once, for %s", update).hasSameSizeAs(live);
        for (Sub s : present) {
          boolean replayed = authorization.canReceive(s.selectors(), s.grants(), update);
          assertThat(live.contains(s))
              .as("live vs replay for %s, topics=%s private=%s", s, update.topics(), update.isPrivate())
              .isEqualTo(replayed);
          cases++;
          if (replayed) {
            delivered++;
          }
        }
        assertThat(present).containsAll(live);
      }
    }
    // The generator is worth something only if both answers occur often.
    assertThat(cases).isEqualTo(ROUNDS * UPDATES_PER_ROUND * SUBSCRIBERS);
    assertThat(delivered).isBetween(cases / 20, cases - cases / 20);
  }

  private static Grants grants(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> Grants.ANONYMOUS;
      case 1 -> new Grants(List.of(), List.of("*"), null, null);
      default -> new Grants(List.of(), pick(random, random.nextInt(3)), null, null);
    };
  }

  private static Update update(Random random, long sequence) {
    List<String> topics = new ArrayList<>();
    int n = 1 + (random.nextInt(3) == 0 ? random.nextInt(3) : 0);
    for (int i = 0; i < n; i++) {
      topics.add(TOPICS.get(random.nextInt(TOPICS.size())));
    }
    return new Update("id-" + sequence, topics, "d", null, -1, random.nextInt(3) == 0, sequence);
  }

  /** {@code n} selectors, duplicates allowed (a request may repeat a topic parameter). */
  private static List<String> pick(Random random, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(random.nextInt(5) == 0 ? TOPICS.get(random.nextInt(TOPICS.size()))
          : SELECTORS.get(random.nextInt(SELECTORS.size())));
    }
    return out;
  }
}
