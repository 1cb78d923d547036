package io.herald.core.history;

/**
 * Where a resuming subscriber's replay begins.
 *
 * @param afterSequence replay updates with a sequence greater than this
 * @param foundId the ID the subscriber gave, when the history knows it; {@code null} means
 *     "earliest" semantics (everything the hub still has), which is also what the hub tells the
 *     subscriber in its {@code Last-Event-ID} response header
 */
public record ReplayStart(long afterSequence, String foundId) {
  private static final ReplayStart EARLIEST = new ReplayStart(0, null);

  /** Replay everything still stored. */
  public static ReplayStart earliest() {
    return EARLIEST;
  }

  /** Whether the subscriber's ID was unknown, pruned, or {@code earliest}. */
  public boolean isEarliest() {
    return foundId == null;
  }
}
