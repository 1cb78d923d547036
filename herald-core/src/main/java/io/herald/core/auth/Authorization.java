package io.herald.core.auth;

import io.herald.core.topic.TopicMatcher;
import io.herald.core.update.Update;
import java.util.List;

/**
 * The protocol's authorization rules, stated once.
 *
 * <ul>
 *   <li>A publisher may publish an update only if <em>every</em> one of its topics matches one of
 *       its {@code mercure.publish} selectors; an empty or missing claim allows nothing. Checking
 *       every topic (not just the canonical one) matters: alternates also reach subscribers, so
 *       one unchecked alternate would let a publisher write into a topic it has no right to.</li>
 *   <li>A subscriber receives an update when one of the update's topics matches one of the
 *       selectors it subscribed with, and, for a private update, one of the update's topics
 *       (possibly another one) matches a selector in its {@code mercure.subscribe} claim.</li>
 * </ul>
 */
public final class Authorization {
  private final TopicMatcher matcher;

  public Authorization(TopicMatcher matcher) {
    this.matcher = matcher;
  }

  public TopicMatcher matcher() {
    return matcher;
  }

  /** Whether {@code grants} allow publishing to all of {@code topics}. */
  public boolean canPublish(Grants grants, List<String> topics) {
    if (grants.publish().isEmpty()) {
      return false;
    }
    for (String topic : topics) {
      if (!matcher.matchesAny(grants.publish(), topic)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a subscriber that selected {@code subscribed} and holds {@code grants} receives
   * {@code update}.
   */
  public boolean canReceive(List<String> subscribed, Grants grants, Update update) {
    boolean selected = false;
    boolean allowed = !update.isPrivate();
    for (String topic : update.topics()) {
      if (!selected && matcher.matchesAny(subscribed, topic)) {
        selected = true;
      }
      if (!allowed && matcher.matchesAny(grants.subscribe(), topic)) {
        allowed = true;
      }
      if (selected && allowed) {
        return true;
      }
    }
    return false;
  }

  /** Whether a private update on any of {@code topics} may reach a bearer of {@code grants}. */
  public boolean canReceivePrivate(Grants grants, List<String> topics) {
    for (String topic : topics) {
      if (matcher.matchesAny(grants.subscribe(), topic)) {
        return true;
      }
    }
    return false;
  }
}
