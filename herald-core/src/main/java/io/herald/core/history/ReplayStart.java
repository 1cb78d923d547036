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
  /**
   * The {@code Last-Event-ID} a subscriber sends to ask for everything the hub still has, and the
   * one the hub answers with when it replays from the start (the Mercure protocol's reserved
   * word): the one place it is spelled.
   */
  public static final String EARLIEST = "earliest";

  private static final ReplayStart FROM_START = new ReplayStart(0, null);

  /** Replay everything still stored. */
  public static ReplayStart earliest() {
    return FROM_START;
  }

  /** Whether the subscriber's ID was unknown, pruned, or {@code earliest}. */
  public boolean isEarliest() {
    return foundId == null;
  }
}
