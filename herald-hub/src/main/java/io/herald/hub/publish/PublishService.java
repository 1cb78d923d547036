package io.herald.hub.publish;

import io.herald.core.auth.Authorization;
import io.herald.core.auth.Grants;
import io.herald.core.transport.PublishResult;
import io.herald.core.transport.Transport;
import io.herald.core.transport.TransportUnavailableException;
import io.herald.core.update.InvalidUpdateException;
import io.herald.core.update.Update;
import io.herald.core.update.UpdateRules;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one way into the hub for an update, whoever publishes it (a client's POST through {@link
 * PublishHandler}, the demo clock, the subscription events): validate the fields ({@link
 * UpdateRules}), authorize every topic ({@link Authorization#canPublish}), store and dispatch
 * ({@link Transport#publish(Update, boolean)}), and complete with a {@link PublishOutcome}. No
 * update reaches a stream without passing here, so the rules that keep streams safe (no line
 * break in an {@code id} or {@code type}, no forged event in the hub's namespace) hold for every
 * update, not only for those that came over HTTP.
 *
 * <p>The outcome is {@link PublishOutcome.Published} only once the transport says the update is
 * stored; if it cannot be stored the outcome is {@link PublishOutcome.Unavailable} and nothing is
 * dispatched. The future never completes exceptionally for a refusal; it completes on the
 * transport's thread (or at once, for a refusal decided here), so a caller on an event loop hops
 * back itself.
 *
 * <p>Knows nothing of HTTP: statuses are {@link PublishHandler}'s business.
 */
public final class PublishService {
  private static final System.Logger LOG = System.getLogger(PublishService.class.getName());

  static final String FORBIDDEN_REASON = "token does not allow publishing to these topics";
  static final String HUB_OUTSIDE_NAMESPACE = "the hub publishes only in " + UpdateRules.RESERVED_PREFIX;
  static final String NOT_STORED_REASON = "update could not be stored";

  private final Transport transport;
  private final Authorization authorization;
  private final UpdateRules rules;
  private final PublishCounters counters;

  /**
   * @param counters what clients' publishes came to ({@link Publisher.Client} only: the hub's own
   *     updates are not counted there)
   */
  public PublishService(
      Transport transport, Authorization authorization, UpdateRules rules, PublishCounters counters) {
    this.transport = transport;
    this.authorization = authorization;
    this.rules = rules;
    this.counters = counters;
  }

  /**
   * Whether updates may also come from other hub nodes through the same transport (a cluster), so
   * what this node publishes is not all there is.
   */
  public boolean reachesOtherNodes() {
    return transport.isShared();
  }

  /** Validates, authorizes, stores and dispatches {@code draft} as {@code publisher} asks. */
  public CompletableFuture<PublishOutcome> publish(Publisher publisher, PublishDraft draft) {
    Update update;
    try {
      update = publisher == Publisher.HUB
          ? rules.validateOwn(draft.topics(), draft.data(), draft.id(), draft.type(), draft.retry(), draft.isPrivate())
          : rules.validate(draft.topics(), draft.data(), draft.id(), draft.type(), draft.retry(), draft.isPrivate());
    } catch (InvalidUpdateException e) {
      return refused(publisher, new PublishOutcome.Invalid(e.getMessage()));
    }
    PublishOutcome.Forbidden forbidden = authorize(publisher, update.topics());
    if (forbidden != null) {
      return refused(publisher, forbidden);
    }
    boolean counted = publisher instanceof Publisher.Client;
    return transport.publish(update, draft.idFromPublisher()).handle((result, failure) -> {
      PublishOutcome outcome = outcome(result, failure);
      if (counted) {
        count(outcome);
      }
      return outcome;
    });
  }

  /** The refusal when {@code publisher} may not publish on every one of {@code topics}, else {@code null}. */
  private PublishOutcome.Forbidden authorize(Publisher publisher, List<String> topics) {
    if (publisher == Publisher.HUB) {
      // The hub's principal is narrow both ways: only it may write in its namespace, and it
      // writes nowhere else, so a bug in its own code cannot reach application topics.
      for (String topic : topics) {
        if (!UpdateRules.isReserved(topic)) {
          return new PublishOutcome.Forbidden(HUB_OUTSIDE_NAMESPACE);
        }
      }
      return null;
    }
    Grants grants = publisher instanceof Publisher.Client c ? c.grants() : ((Publisher.Feature) publisher).grants();
    return authorization.canPublish(grants, topics) ? null : new PublishOutcome.Forbidden(FORBIDDEN_REASON);
  }

  private static PublishOutcome outcome(PublishResult result, Throwable failure) {
    if (failure != null) {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      return new PublishOutcome.Unavailable(
          cause instanceof TransportUnavailableException ? cause.getMessage() : NOT_STORED_REASON);
    }
    if (result.outcome() == PublishResult.Outcome.CONFLICT) {
      // IDs are unique in the history: reusing another update's ID would let a publisher make
      // that ID's subscribers resume past updates they never got.
      return new PublishOutcome.Conflict(PublishResult.CONFLICT_REASON);
    }
    return new PublishOutcome.Published(
        result.update().id(), result.outcome() == PublishResult.Outcome.DUPLICATE);
  }

  private CompletableFuture<PublishOutcome> refused(Publisher publisher, PublishOutcome.Refused refusal) {
    if (publisher instanceof Publisher.Client) {
      count(refusal);
    } else {
      // The hub's own code built an update its own rules refuse: a bug, not a client's mistake.
      LOG.log(System.Logger.Level.WARNING, "hub update refused (" + publisher + "): " + refusal.reason());
    }
    return CompletableFuture.completedFuture(refusal);
  }

  private void count(PublishOutcome outcome) {
    if (outcome instanceof PublishOutcome.Published p) {
      if (p.duplicate()) {
        counters.duplicate(); // a retry: acknowledged again, stored and delivered once
      } else {
        counters.accepted();
      }
    } else if (outcome instanceof PublishOutcome.Conflict) {
      counters.conflict();
    } else if (outcome instanceof PublishOutcome.Invalid) {
      counters.refused(400);
    } else if (outcome instanceof PublishOutcome.Forbidden) {
      counters.refused(403);
    } else {
      counters.refused(503);
    }
  }
}
