package io.herald.core.transport;

import io.herald.core.update.Update;

/** Receives accepted updates from a {@link Transport}, one at a time, in sequence order. */
@FunctionalInterface
public interface UpdateListener {
  /** Must not block: it runs on the transport's dispatch thread. */
  void onUpdate(Update update);

  /**
   * The transport lost its place in the update log (for example a cluster node fell behind the
   * shared log's retention): updates may have been skipped. Every subscriber must be made to
   * reconnect, so that it resumes from history (or gets {@code earliest} semantics) rather than
   * silently missing updates. Must not block.
   */
  default void onReset() {}
}
