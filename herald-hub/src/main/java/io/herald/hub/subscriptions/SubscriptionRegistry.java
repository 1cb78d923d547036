package io.herald.hub.subscriptions;

import io.herald.core.transport.Transport;
import io.herald.core.update.Update;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
    for (String t : topics) {
      subs.add(new ActiveSubscription(subscriber, t, payloadJson));
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

  /** Every live subscription, optionally filtered by selector and subscriber (null = any). */
  public List<ActiveSubscription> list(String topic, String subscriber) {
    List<ActiveSubscription> out = new ArrayList<>();
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
