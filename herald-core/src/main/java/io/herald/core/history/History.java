package io.herald.core.history;

import io.herald.core.update.Update;
import java.util.List;

/**
 * Where accepted updates are kept so that a subscriber coming back with {@code Last-Event-ID} gets
 * what it missed.
 *
 * <p>Threading: {@link #append} is called by one thread at a time (the transport's writer), in
 * sequence order. The read methods may be called concurrently from any thread, including while
 * an append runs, and must never block on the writer for long. Implementations must not be called
 * from a network event loop when they do disk I/O; the hub calls them from its own executors.
 */
public interface History extends AutoCloseable {

  /**
   * Stores a batch of sequenced updates (ascending {@link Update#sequence()}), durably per the
   * implementation's policy, before returning. Either the whole batch is stored or the call throws
   * and none of it will ever be read back.
   *
   * @throws HistoryException when the store cannot take the batch (disk full, I/O error)
   */
  void append(List<Update> batch) throws HistoryException;

  /** The sequence of the newest stored update, or {@code 0} when the history is empty. */
  long lastSequence();

  /**
   * Finds where a subscriber that last saw {@code lastEventId} should resume.
   *
   * @return the position after which to replay; {@link ReplayStart#earliest()} when the ID is
   *     {@code earliest}, unknown, or already pruned
   */
  ReplayStart locate(String lastEventId) throws HistoryException;

  /**
   * The stored update with this event ID, or {@code null} when the history does not retain one
   * (unknown, pruned, or a history that keeps nothing). Called by the transport's writer before it
   * appends an update whose ID the publisher chose, so that IDs stay unique in the history: an
   * indexed look-up, never a scan.
   */
  Update find(String eventId) throws HistoryException;

  /**
   * Reads up to {@code limit} updates with {@code afterSequence < sequence <= upToSequence}, in
   * order. Replay is done in such pages so that no subscriber ever holds a large backlog in
   * memory.
   */
  List<Update> read(long afterSequence, long upToSequence, int limit) throws HistoryException;

  /** The ID of the newest stored update, or {@code null} when there is none. */
  String lastEventId();

  /**
   * Whether a history whose last append failed is known to take appends again: it recovered by
   * itself (for example once disk space came back). The transport asks while it reports itself
   * unavailable, so readiness follows the recovery without waiting for the next publish. The
   * default, {@code false}, leaves that to the next append that succeeds.
   */
  default boolean recovered() {
    return false;
  }

  @Override
  void close();
}
