package io.herald.hub.subscriptions;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.herald.core.update.Update;
import io.herald.hub.json.Json;
import io.herald.hub.publish.PublishDraft;
import io.herald.hub.publish.PublishService;
import io.herald.hub.publish.Publisher;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hub's live subscriptions ({@code --subscriptions}), and the events announcing them.
 *
 * <p>When a subscriber connects or leaves, one private update per selected topic is published on
 * {@code /.well-known/mercure/subscriptions/{topic}/{subscriber}} with the JSON-LD subscription as
 * data; only subscribers whose token grants that topic receive it (it carries another user's
 * {@code mercure.payload}). The events go through the {@link PublishService} like any update, as
 * {@link Publisher#HUB} (no publisher token can write there), and on through the transport, so in a cluster
 * every node's subscribers see them, and they are replayable (the API's {@code lastEventID}
 * resumes them); the transports keep them in a bounded retention of their own, so however many
 * subscriptions clients open, they never push application updates out of the history
 * (docs/decisions/0004-subscription-events-retention.md). When disabled, nothing is recorded and nothing is published:
 * the feature costs nothing.
 *
 * <p>Cost when enabled, which Mercure users know as memory spikes when many subscribers connect:
 * each subscription is one small record here and one event written as text straight from it (no
 * generic map, no JSON library); events are read back only from other nodes, and only after the
 * topic shows they are not this node's own.
 */
public final class SubscriptionRegistry {
  private static final String EVENT_TOPIC_PREFIX = ActiveSubscription.PATH + "/";
  private final boolean enabled;
  /** Whether other nodes publish events through the transport, which must then be observed. */
  private final boolean clustered;
  private final PublishService publishing;
  private final ConcurrentHashMap<String, List<ActiveSubscription>> bySubscriber = new ConcurrentHashMap<>();
  /** Subscriptions of other nodes, learned from their events (cluster transports). */
  private final ConcurrentHashMap<String, ActiveSubscription> remote = new ConcurrentHashMap<>();

  /**
   * A registry that publishes its events through {@code publishing} (as {@link Publisher#HUB}, the
   * only principal allowed in the reserved namespace) and learns other nodes' subscriptions when
   * the transport is shared.
   */
  public SubscriptionRegistry(boolean enabled, PublishService publishing) {
    this(enabled, publishing.reachesOtherNodes(), publishing);
  }

  SubscriptionRegistry(boolean enabled, boolean clustered, PublishService publishing) {
    this.enabled = enabled;
    this.clustered = clustered;
    this.publishing = publishing;
  }

  public boolean enabled() {
    return enabled;
  }

  /** A fresh subscriber ID. */
  public static String newSubscriberId() {
    return "urn:uuid:" + UUID.randomUUID();
  }

  /** Records a connected subscriber and announces its subscriptions. */
  public void added(String subscriber, List<String> topics, String payloadJson) {
    if (!enabled) {
      return;
    }
    ActiveSubscription[] subs = new ActiveSubscription[topics.size()];
    for (int i = 0; i < subs.length; i++) {
      subs[i] = new ActiveSubscription(subscriber, topics.get(i), payloadJson);
    }
    List<ActiveSubscription> list = List.of(subs);
    bySubscriber.put(subscriber, list);
    announce(list, true);
  }

  /** Forgets a subscriber that left and announces the end of its subscriptions. */
  public void removed(String subscriber) {
    if (!enabled) {
      return;
    }
    List<ActiveSubscription> subs = bySubscriber.remove(subscriber);
    if (subs != null) {
      announce(subs, false);
    }
  }

  /** Whether {@code update} is a subscription event (a private update under the collection path). */
  public static boolean isEvent(Update update) {
    return update.isPrivate() && update.topics().size() == 1 && update.topic().startsWith(EVENT_TOPIC_PREFIX);
  }

  /**
   * Learns other nodes' subscriptions from the events every node publishes through the shared
   * transport, so the API lists the whole cluster's. A node that dies without saying goodbye
   * leaves its entries until a node restarts (documented limit).
   */
  public void observe(Update update) {
    if (!enabled || !clustered || !isEvent(update) || isOwn(update.topic())) {
      return;
    }
    Map<String, Object> event;
    try {
      event = JSONObjectUtils.parse(update.data());
    } catch (java.text.ParseException | RuntimeException notOurs) {
      return;
    }
    if (!(event.get("subscriber") instanceof String subscriber) || !(event.get("topic") instanceof String topic)
        || bySubscriber.containsKey(subscriber)) {
      return;
    }
    String payloadJson;
    try {
      Object payload = event.get("payload");
      payloadJson = payload == null ? null : Json.write(payload);
    } catch (IllegalArgumentException notJson) {
      return;
    }
    ActiveSubscription s = new ActiveSubscription(subscriber, topic, payloadJson);
    if (Boolean.TRUE.equals(event.get("active"))) {
      remote.put(s.id(), s);
    } else {
      remote.remove(s.id());
    }
  }

  /** Every live subscription, optionally filtered by selector and subscriber (null = any). */
  List<ActiveSubscription> list(String topic, String subscriber) {
    List<ActiveSubscription> out = new ArrayList<>();
    for (ActiveSubscription s : remote.values()) {
      if ((topic == null || topic.equals(s.topic())) && (subscriber == null || subscriber.equals(s.subscriber()))
          && !bySubscriber.containsKey(s.subscriber())) {
        out.add(s);
      }
    }
    Collection<List<ActiveSubscription>> all = subscriber == null
        ? bySubscriber.values()
        : bySubscriber.containsKey(subscriber) ? List.of(bySubscriber.get(subscriber)) : List.of();
    for (List<ActiveSubscription> subs : all) {
      for (ActiveSubscription s : subs) {
        if (topic == null || topic.equals(s.topic())) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /**
   * Whether an event's topic ({@code .../{topic}/{subscriber}}) names a subscriber of this node:
   * its own events need no parsing, the registry already has them.
   */
  private boolean isOwn(String eventTopic) {
    String last = eventTopic.substring(eventTopic.lastIndexOf('/') + 1);
    try {
      return bySubscriber.containsKey(URLDecoder.decode(last, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException malformed) {
      return false;
    }
  }

  private void announce(List<ActiveSubscription> subs, boolean active) {
    for (ActiveSubscription s : subs) {
      String id = s.id();
      publishing.publish(Publisher.HUB, PublishDraft.of(List.of(id), s.toJsonLd(id, active, false), true));
    }
  }
}
