package io.herald.core.update;

import io.herald.core.topic.TopicLength;
import java.util.List;
import java.util.UUID;

/**
 * The rules every published update must follow before it may enter the hub.
 *
 * <p>Why each rule exists:
 * <ul>
 *   <li>CR, LF or NUL in {@code id} or {@code type}: refused by {@link Update} itself, for every
 *       update however it is made (see there for why); checked here in the order of the other
 *       rules and reported as an {@link InvalidUpdateException}.</li>
 *   <li>An {@code id} starting with {@code #}: the protocol reserves it (Mercure uses it for
 *       fragment-like IDs), so publishers may not send one.</li>
 *   <li>Topics under {@code /.well-known/mercure}: the hub publishes its own subscription events
 *       there; a publisher writing there could forge them.</li>
 *   <li>A cap on topics: dispatch cost grows with topics per update.</li>
 *   <li>A cap on each topic's length ({@link TopicLength}), alternates included: every topic is
 *       matched against every live template and kept in the match cache, so its length is what
 *       one publish makes the hub do and hold.</li>
 *   <li>{@code retry} must be a non-negative integer; anything else could not be written as a
 *       valid {@code retry:} field.</li>
 * </ul>
 */
public final class UpdateRules {
  /** The hub's own namespace; publishers may not use topics inside it. */
  public static final String RESERVED_PREFIX = "/.well-known/mercure";

  private final int maxTopics;
  private final int maxTopicBytes;

  public UpdateRules(int maxTopics) {
    this(maxTopics, TopicLength.DEFAULT_MAX_BYTES);
  }

  public UpdateRules(int maxTopics, int maxTopicBytes) {
    if (maxTopics < 1) {
      throw new IllegalArgumentException("maxTopics must be at least 1");
    }
    if (maxTopicBytes < 1) {
      throw new IllegalArgumentException("maxTopicBytes must be at least 1");
    }
    this.maxTopics = maxTopics;
    this.maxTopicBytes = maxTopicBytes;
  }

  public int maxTopics() {
    return maxTopics;
  }

  /**
   * Validates the publisher's fields and builds the (unsequenced) update.
   *
   * @param id the publisher's ID or {@code null} to generate one
   * @param retry the raw {@code retry} field or {@code null}
   * @throws InvalidUpdateException with a one-line reason when a rule is broken
   */
  public Update validate(
      List<String> topics, String data, String id, String type, String retry, boolean isPrivate)
      throws InvalidUpdateException {
    return validate(topics, data, id, type, retry, isPrivate, false);
  }

  /**
   * As {@link #validate}, for an update the hub itself writes in its reserved namespace (its
   * subscription events): every rule applies except two. The reservation, which exists to keep
   * publishers out of the hub's own namespace, not the hub; and the topic-length cap, because
   * such a topic embeds a subscriber's selector (already held to the cap when it subscribed) in
   * percent-encoded form, which may be up to three times longer. Only the hub's own code may call
   * this: herald-hub reaches it through its publish service for the hub's own principal alone,
   * which no token can stand for.
   *
   * @throws InvalidUpdateException with a one-line reason when a rule is broken
   */
  public Update validateOwn(
      List<String> topics, String data, String id, String type, String retry, boolean isPrivate)
      throws InvalidUpdateException {
    return validate(topics, data, id, type, retry, isPrivate, true);
  }

  private Update validate(
      List<String> topics, String data, String id, String type, String retry, boolean isPrivate, boolean own)
      throws InvalidUpdateException {
    if (topics == null || topics.isEmpty()) {
      throw new InvalidUpdateException("missing \"topic\" parameter");
    }
    if (topics.size() > maxTopics) {
      throw new InvalidUpdateException("too many topics: at most " + maxTopics + " per update");
    }
    for (String topic : topics) {
      if (topic.isEmpty()) {
        throw new InvalidUpdateException("empty \"topic\" parameter");
      }
      if (!own && TopicLength.exceeds(topic, maxTopicBytes)) {
        throw new InvalidUpdateException(TopicLength.refusal("topic", maxTopicBytes));
      }
      if (!own && isReserved(topic)) {
        throw new InvalidUpdateException("topic \"" + RESERVED_PREFIX + "\" namespace is reserved");
      }
    }
    String eventId;
    if (id == null || id.isEmpty()) {
      eventId = "urn:uuid:" + UUID.randomUUID();
    } else {
      if (id.charAt(0) == '#') {
        throw new InvalidUpdateException("\"id\" must not start with #");
      }
      requireOneLine("id", id);
      eventId = id;
    }
    String eventType = null;
    if (type != null && !type.isEmpty()) {
      requireOneLine("type", type);
      eventType = type;
    }
    long retryMs = -1;
    if (retry != null && !retry.isEmpty()) {
      retryMs = parseRetry(retry);
    }
    return new Update(eventId, topics, data, eventType, retryMs, isPrivate, 0);
  }

  /** Whether a topic lies in the hub's reserved namespace. */
  public static boolean isReserved(String topic) {
    return topic.equals(RESERVED_PREFIX) || topic.startsWith(RESERVED_PREFIX + "/");
  }

  private static long parseRetry(String retry) throws InvalidUpdateException {
    if (retry.length() > 18) {
      throw new InvalidUpdateException("\"retry\" must be a non-negative integer");
    }
    for (int i = 0; i < retry.length(); i++) {
      char c = retry.charAt(i);
      if (c < '0' || c > '9') {
        throw new InvalidUpdateException("\"retry\" must be a non-negative integer");
      }
    }
    return Long.parseLong(retry);
  }

  /** {@link Update}'s rule for {@code value}, as the publisher's refusal. */
  private static void requireOneLine(String field, String value) throws InvalidUpdateException {
    try {
      Update.requireOneLine(field, value);
    } catch (UnsafeUpdateException e) {
      throw new InvalidUpdateException(e.getMessage());
    }
  }
}
