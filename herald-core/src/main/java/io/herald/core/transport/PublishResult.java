package io.herald.core.transport;

import io.herald.core.update.Update;
import java.util.Objects;

/**
 * What a publish came to, once the transport decided. Event IDs are unique in the history, so a
 * publish whose ID is already stored is either a retry of that very update (same topics, data,
 * type, private flag and retry: {@link Outcome#DUPLICATE}, acknowledged again but neither stored
 * nor dispatched a second time) or a different update reusing the ID ({@link Outcome#CONFLICT},
 * refused). Uniqueness holds only within what the history retains: an ID whose update was pruned
 * (or a hub with no history) can be used again.
 *
 * @param outcome which of the three cases happened
 * @param update {@link Outcome#STORED}: the update as stored, with its sequence; {@link
 *     Outcome#DUPLICATE}: the update stored earlier under that ID, with its sequence; {@link
 *     Outcome#CONFLICT}: the refused update, unsequenced
 */
public record PublishResult(Outcome outcome, Update update) {
  /** The one-line reason a conflicting publish gets. Names no field: the stored update may be private. */
  public static final String CONFLICT_REASON = "\"id\" is already used by a different update";

  /** The closed set of publish outcomes. */
  public enum Outcome {
    /** Newly stored and dispatched. */
    STORED,
    /** The same update was stored under this ID already: nothing new stored or dispatched. */
    DUPLICATE,
    /** Another update holds this ID: refused, nothing stored or dispatched. */
    CONFLICT
  }

  public PublishResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(update, "update");
  }

  public static PublishResult stored(Update update) {
    return new PublishResult(Outcome.STORED, update);
  }

  public static PublishResult duplicate(Update existing) {
    return new PublishResult(Outcome.DUPLICATE, existing);
  }

  public static PublishResult conflict(Update refused) {
    return new PublishResult(Outcome.CONFLICT, refused);
  }

  /**
   * What a publish of {@code candidate} (with a publisher-chosen ID) comes to when {@code
   * existing}, or nothing ({@code null}), is already stored under its ID; {@code null} means
   * "store it".
   */
  public static PublishResult against(Update candidate, Update existing) {
    if (existing == null) {
      return null;
    }
    return candidate.sameContent(existing) ? duplicate(existing) : conflict(candidate);
  }
}
