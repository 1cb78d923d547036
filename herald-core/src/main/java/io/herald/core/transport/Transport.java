package io.herald.core.transport;

import io.herald.core.history.History;
import io.herald.core.update.Update;
import java.util.concurrent.CompletableFuture;

/**
 * Carries updates from publishers to subscribers.
 *
 * <p>A publish is acknowledged only once the update is stored as the transport promises (in the
 * local history, or in the shared log of a cluster): the returned future completes with the
 * sequenced update, and only then may the publisher get its 200. Every accepted update is then
 * handed to the {@link UpdateListener} exactly once, in sequence order.
 */
public interface Transport extends AutoCloseable {

  /**
   * Accepts an unsequenced update whose ID the hub generated (random, so unique by construction):
   * no look-up of the ID is made. The future completes with the stored, sequenced update, or
   * exceptionally with {@link TransportUnavailableException} when it could not be stored (the
   * update will then never be dispatched).
   */
  default CompletableFuture<Update> publish(Update update) {
    return publish(update, false).thenApply(PublishResult::update);
  }

  /**
   * Accepts an unsequenced update. Event IDs are unique in the history: when {@code
   * idFromPublisher} is set, the ID is looked up first (atomically with the append, and against
   * the other publishes of the same batch) and the result says whether the update was stored, was
   * already stored (an idempotent retry: acknowledged with the stored update, neither stored nor
   * dispatched again), or conflicts with another update holding that ID (refused). Hub-generated
   * IDs skip the look-up, so they cost no read. The future fails with {@link
   * TransportUnavailableException} when the update could not be stored (it will then never be
   * dispatched).
   */
  CompletableFuture<PublishResult> publish(Update update, boolean idFromPublisher);

  /**
   * Sets the one listener every accepted update is handed to, in sequence order, from one thread
   * at a time. It is set once, before the first publish (an update accepted with no listener set
   * would reach no one): a second call, or a call after a publish, throws.
   *
   * @throws IllegalStateException when a listener was set already, or a publish was made
   */
  void dispatchTo(UpdateListener listener);

  /**
   * The highest sequence this transport has stored, known before any of its publishers is
   * answered (see {@link GroupCommit#lastStoredSequence()}): every update whose publish was
   * answered has a sequence at or below it. A live-only subscriber skips through it, so it is
   * not given an update published before it came, whose dispatch may still be under way.
   */
  long lastStoredSequence();

  /** The history replays are read from. */
  History history();

  /** Whether publishes can currently be stored (for readiness checks). */
  boolean isAvailable();

  /**
   * Updates accepted but not yet handed to the listener (queued for the store, or read from a
   * shared log and not yet dispatched); for metrics. {@code 0} when unknown.
   */
  default long lag() {
    return 0;
  }

  /**
   * Whether other hub nodes publish through this transport too (a cluster), so updates may come
   * from elsewhere; {@code false} for a transport only this process uses.
   */
  default boolean isShared() {
    return false;
  }

  /** Stops accepting publishes, finishes those in flight, and releases resources. */
  @Override
  void close();
}
