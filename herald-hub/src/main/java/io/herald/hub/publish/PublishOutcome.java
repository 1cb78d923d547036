package io.herald.hub.publish;

/**
 * What a publish came to, as {@link PublishService} decided: the closed set the HTTP adapter maps
 * to statuses ({@link PublishHandler}: 200, 400, 403, 409, 503). Every refusal carries the
 * one-line reason the publisher is told.
 */
public sealed interface PublishOutcome {

  /**
   * Stored and dispatched, or (duplicate) a retry of an update already stored under this ID,
   * acknowledged again but neither stored nor dispatched a second time.
   */
  record Published(String id, boolean duplicate) implements PublishOutcome {}

  /** Not stored, not dispatched. */
  sealed interface Refused extends PublishOutcome permits Invalid, Forbidden, Conflict, Unavailable {
    /** The one-line reason. */
    String reason();
  }

  /** A field breaks one of the update rules ({@link io.herald.core.update.UpdateRules}). */
  record Invalid(String reason) implements Refused {}

  /** The publisher's grants do not allow every topic. */
  record Forbidden(String reason) implements Refused {}

  /** The publisher's ID is held by a different update. */
  record Conflict(String reason) implements Refused {}

  /** The transport could not store the update. */
  record Unavailable(String reason) implements Refused {}
}
