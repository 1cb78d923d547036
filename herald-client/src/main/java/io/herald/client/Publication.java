package io.herald.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An update to publish through {@link HubClient#publish}: what a publisher POSTs to a Mercure hub.
 * The hub assigns the ID unless one is given. Immutable.
 *
 * <pre>{@code
 * Publication p = Publication.builder("https://example.com/books/1")
 *     .data("{\"title\":\"Dune\"}")
 *     .privateUpdate(true)
 *     .build();
 * }</pre>
 */
public final class Publication {
  private final List<String> topics;
  private final String data;
  private final String id;
  private final String type;
  private final long retry;
  private final boolean privateUpdate;

  private Publication(Builder b) {
    this.topics = List.copyOf(b.topics);
    this.data = b.data;
    this.id = b.id;
    this.type = b.type;
    this.retry = b.retry;
    this.privateUpdate = b.privateUpdate;
  }

  /** A builder for an update on {@code topic} (its canonical topic). */
  public static Builder builder(String topic) {
    return new Builder(topic);
  }

  /** The canonical topic first, then the alternates. */
  public List<String> topics() {
    return topics;
  }

  /** The data, if any. */
  public Optional<String> data() {
    return Optional.ofNullable(data);
  }

  /** The ID chosen by the publisher; empty to let the hub generate one. */
  public Optional<String> id() {
    return Optional.ofNullable(id);
  }

  /** The SSE event type; empty for the default {@code message}. */
  public Optional<String> type() {
    return Optional.ofNullable(type);
  }

  /** The reconnection delay to send to subscribers, in milliseconds. */
  public OptionalLong retry() {
    return retry < 0 ? OptionalLong.empty() : OptionalLong.of(retry);
  }

  /** Whether only subscribers authorized for one of its topics receive it. */
  public boolean isPrivate() {
    return privateUpdate;
  }

  /** Builds a {@link Publication}. */
  public static final class Builder {
    private final List<String> topics = new ArrayList<>();
    private String data;
    private String id;
    private String type;
    private long retry = -1;
    private boolean privateUpdate;

    private Builder(String topic) {
      topic(topic);
    }

    /** Adds an alternate topic: subscribers of any of the topics receive the update. */
    public Builder topic(String topic) {
      Objects.requireNonNull(topic, "topic");
      if (topic.isEmpty()) {
        throw new IllegalArgumentException("a topic must not be empty");
      }
      topics.add(topic);
      return this;
    }

    /** The data (line breaks arrive as LF). */
    public Builder data(String data) {
      this.data = Objects.requireNonNull(data, "data");
      return this;
    }

    /** The update's ID (must not start with {@code #}); by default the hub generates one. */
    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /** The SSE event type. */
    public Builder type(String type) {
      this.type = Objects.requireNonNull(type, "type");
      return this;
    }

    /** The reconnection delay subscribers should use, in milliseconds. */
    public Builder retry(long millis) {
      if (millis < 0) {
        throw new IllegalArgumentException("retry must not be negative");
      }
      this.retry = millis;
      return this;
    }

    /** Whether the update is private. */
    public Builder privateUpdate(boolean isPrivate) {
      this.privateUpdate = isPrivate;
      return this;
    }

    public Publication build() {
      return new Publication(this);
    }
  }
}
