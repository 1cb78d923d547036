package io.herald.hub.publish;

import java.util.List;

/**
 * The fields of an update as a publisher sent them, not yet validated: what {@link
 * PublishService#publish} turns into an update or a refusal ({@link
 * io.herald.core.update.UpdateRules} says which).
 *
 * @param topics the {@code topic} fields, canonical first ({@code null} or empty: refused)
 * @param data the {@code data} field, or {@code null}
 * @param id the publisher's ID, or {@code null}/empty for one the hub generates
 * @param type the {@code type} field, or {@code null}
 * @param retry the raw {@code retry} field, or {@code null}
 * @param isPrivate whether the {@code private} field was present
 */
public record PublishDraft(
    List<String> topics, String data, String id, String type, String retry, boolean isPrivate) {

  /** An update with a hub-generated ID and no type or retry: what the hub's own features publish. */
  public static PublishDraft of(List<String> topics, String data, boolean isPrivate) {
    return new PublishDraft(topics, data, null, null, null, isPrivate);
  }

  /** Whether the publisher chose the ID (so the transport looks it up, see {@link io.herald.core.transport.PublishResult}). */
  public boolean idFromPublisher() {
    return id != null && !id.isEmpty();
  }
}
