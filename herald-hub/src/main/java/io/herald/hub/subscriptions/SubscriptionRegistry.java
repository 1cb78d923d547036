package io.herald.hub.subscriptions;

import io.herald.core.transport.Transport;
import io.herald.core.update.Update;
import com.nimbusds.jose.util.JSONObjectUtils;
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
 * {@code mercure.payload}). The events go through the transport like any update, so in a cluster
 * every node's subscribers see them. When disabled, nothing is recorded and nothing is published:
 * the feature costs nothing.
 */
public final class SubscriptionRegistry {
  private final boolean enabled;
  private final Transport transport;
  private final ConcurrentHashMap<String, List<ActiveSubscription>> bySubscriber = new ConcurrentHashMap<>();
  /** Subscriptions of other nodes, learned from their events (cluster transports). */
  private final ConcurrentHashMap<String, ActiveSubscription> remote = new ConcurrentHashMap<>();

  public SubscriptionRegistry(boolean enabled, Transport transport) {
    this.enabled = enabled;
    this.transport = transport;
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
    List<ActiveSubscription> subs = new ArrayList<>(topics.size());
    Object payload = ActiveSubscription.parsePayload(payloadJson);
    for (String t : topics) {
      subs.add(new ActiveSubscription(subscriber, t, payload));
    }
    bySubscriber.put(subscriber, List.copyOf(subs));
    announce(subs, true);
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

  /**
   * Learns other nodes' subscriptions from the events every node publishes through the shared
   * transport, so the API lists the whole cluster's. A node that dies without saying goodbye
   * leaves its entries until a node restarts (documented limit).
   */
  public void observe(Update update) {
    if (!enabled || !update.isPrivate() || !update.topic().startsWith(ActiveSubscription.PATH + "/")) {
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
    ActiveSubscription s = new ActiveSubscription(subscriber, topic, event.get("payload"));
    if (Boolean.TRUE.equals(event.get("active"))) {
      remote.put(s.id(), s);
    } else {
      remote.remove(s.id());
    }
  }

  /** Every live subscription, optionally filtered by selector and subscriber (null = any). */
  public List<ActiveSubscription> list(String topic, String subscriber) {
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

  private void announce(List<ActiveSubscription> subs, boolean active) {
    for (ActiveSubscription s : subs) {
      String data = JSONObjectUtils.toJSONString(s.toJsonLd(active, false));
      transport.publish(new Update(
          "urn:uuid:" + UUID.randomUUID(), List.of(s.id()), data, null, -1, true, 0));
    }
  }
}
