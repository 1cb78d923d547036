package io.herald.core.subscriber;

import io.herald.core.auth.Authorization;
import io.herald.core.topic.TopicMatcher;
import io.herald.core.topic.UriTemplate;
import io.herald.core.update.Update;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Finds the subscribers an update must reach without looking at those that cannot match.
 *
 * <p>Exact selectors (the common case: one subscriber, one resource URL) live in a hash map from
 * topic to subscribers, so an update costs one lookup per topic however many subscribers the hub
 * holds. Pattern selectors ({@code *} and URI templates) are grouped by selector string: each
 * distinct pattern is tried once per update (and the {@link TopicMatcher} caches that answer), and
 * on a match all of its subscribers are taken at once. Dispatch cost therefore grows with the
 * number of distinct patterns and of matching subscribers, not with the total subscriber count.
 *
 * <p><b>Who pays for a template.</b> A pattern group holds its compiled template for as long as
 * one of its subscribers stays, so the shared, byte-bounded caches of the {@link TopicMatcher}
 * may evict it without making live subscribers recompile on every update, and a flood of
 * one-off selectors from elsewhere only evicts cold entries. The memory is charged to the
 * subscribers that chose the template (bounded by their request size and the selector length
 * cap); when the last one leaves, the group and its template go with it.
 *
 * <p>Not thread-safe: the hub keeps one index per event loop and touches it only from there, so
 * no lock is ever held while dispatching.
 */
public final class SubscriberIndex<S extends Subscription> {
  private final Authorization authorization;
  private final TopicMatcher matcher;
  private final Map<String, List<Node<S>>> exact = new HashMap<>();
  private final Map<String, Group<S>> patterns = new HashMap<>();
  private final IdentityHashMap<S, Node<S>> nodes = new IdentityHashMap<>();
  private long stamp;

  private static final class Node<S> {
    final S subscription;
    long matchedStamp;

    Node(S subscription) {
      this.subscription = subscription;
    }
  }

  /** The subscribers of one pattern selector, with its compiled template ({@code null} for *). */
  private static final class Group<S> {
    final UriTemplate template;
    final List<Node<S>> nodes = new ArrayList<>(2);

    Group(UriTemplate template) {
      this.template = template;
    }
  }

  public SubscriberIndex(Authorization authorization) {
    this.authorization = authorization;
    this.matcher = authorization.matcher();
  }

  /** Adds a subscription; adding one already present does nothing. */
  public void add(S s) {
    if (nodes.containsKey(s)) {
      return;
    }
    Node<S> node = new Node<>(s);
    nodes.put(s, node);
    for (String selector : s.selectors()) {
      List<Node<S>> list = TopicMatcher.isExact(selector)
          ? exact.computeIfAbsent(selector, k -> new ArrayList<>(2))
          : patterns.computeIfAbsent(selector, k -> new Group<>(
              TopicMatcher.isTemplate(k) ? matcher.template(k) : null)).nodes;
      if (!list.contains(node)) {
        list.add(node);
      }
    }
  }

  /** Removes a subscription; removing one not present does nothing. */
  public void remove(S s) {
    Node<S> node = nodes.remove(s);
    if (node == null) {
      return;
    }
    for (String selector : s.selectors()) {
      if (TopicMatcher.isExact(selector)) {
        List<Node<S>> list = exact.get(selector);
        if (list != null && list.remove(node) && list.isEmpty()) {
          exact.remove(selector);
        }
      } else {
        Group<S> group = patterns.get(selector);
        if (group != null && group.nodes.remove(node) && group.nodes.isEmpty()) {
          patterns.remove(selector);
        }
      }
    }
  }

  public int size() {
    return nodes.size();
  }

  public boolean isEmpty() {
    return nodes.isEmpty();
  }

  /**
   * Calls {@code action} once for every subscription that must receive {@code update}: one of
   * its selectors matches one of the update's topics, and it may see the update if private.
   */
  public void forEachRecipient(Update update, Consumer<? super S> action) {
    long current = ++stamp;
    List<String> topics = update.topics();
    for (int t = 0; t < topics.size(); t++) {
      List<Node<S>> direct = exact.get(topics.get(t));
      if (direct != null) {
        visit(direct, current, update, action);
      }
    }
    if (!patterns.isEmpty()) {
      for (Group<S> group : patterns.values()) {
        for (int t = 0; t < topics.size(); t++) {
          if (group.template == null || matcher.matches(group.template, topics.get(t))) {
            visit(group.nodes, current, update, action);
            break;
          }
        }
      }
    }
  }

  private void visit(List<Node<S>> list, long current, Update update, Consumer<? super S> action) {
    for (int i = 0; i < list.size(); i++) {
      Node<S> node = list.get(i);
      if (node.matchedStamp == current) {
        continue;
      }
      node.matchedStamp = current;
      if (!update.isPrivate()
          || authorization.canReceivePrivate(node.subscription.grants(), update.topics())) {
        action.accept(node.subscription);
      }
    }
  }
}
