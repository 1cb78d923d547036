package io.herald.core.history;

import io.herald.core.update.Update;
import io.herald.core.update.UpdateRules;
import java.util.ArrayList;
import java.util.List;

/**
 * One history made of two, so that the hub's own events can never push application updates out
 * of replay (see docs/decisions/0004-subscription-events-retention.md).
 *
 * <p>Updates in the reserved namespace ({@link UpdateRules#isReserved}: only the hub publishes
 * there; today the subscription events of {@code --subscriptions}) go to a small ring in memory
 * with its own bounds; every other update goes to the application history, whose retention
 * therefore counts application updates only. Both share one sequence space (the transport's), so
 * each holds increasing sequences with gaps where the other's are, and reads merge the two by
 * sequence: a subscriber resuming from any ID, of either kind, gets both kinds after it, in order.
 *
 * <p>The events are volatile on purpose: they describe connections of this process, which all end
 * with it, so keeping them across a restart would only replay the presence of subscribers that
 * are gone. Event IDs are generated, and {@link #find} looks in both parts, so IDs stay unique
 * across the two.
 */
public final class SplitHistory implements History {
  /** Subscription events kept for replay by default: minutes of heavy churn, a few MB at most. */
  public static final int DEFAULT_EVENT_CAPACITY = 10_000;
  /** Bytes of events kept at most, whatever their count (they carry token payloads). */
  public static final long DEFAULT_EVENT_BYTES = 16L << 20;

  private final History application;
  private final MemoryHistory events;

  public SplitHistory(History application) {
    this(application, DEFAULT_EVENT_CAPACITY, DEFAULT_EVENT_BYTES);
  }

  public SplitHistory(History application, int eventCapacity, long eventBytes) {
    this.application = application;
    this.events = new MemoryHistory(eventCapacity, eventBytes);
  }

  /** Whether an update is one of the hub's own events rather than an application update. */
  public static boolean isHubEvent(Update u) {
    return UpdateRules.isReserved(u.topic());
  }

  /** The history application updates are kept in. */
  public History application() {
    return application;
  }

  /**
   * Appends the application updates of the batch to the application history (all or nothing, as
   * it promises), then the events to the ring, which cannot fail.
   */
  @Override
  public void append(List<Update> batch) throws HistoryException {
    List<Update> apps = new ArrayList<>(batch.size());
    List<Update> hub = null;
    for (Update u : batch) {
      if (isHubEvent(u)) {
        if (hub == null) {
          hub = new ArrayList<>();
        }
        hub.add(u);
      } else {
        apps.add(u);
      }
    }
    if (!apps.isEmpty()) {
      application.append(apps);
    }
    if (hub != null) {
      events.append(hub);
    }
  }

  @Override
  public long lastSequence() {
    return Math.max(application.lastSequence(), events.lastSequence());
  }

  @Override
  public ReplayStart locate(String lastEventId) throws HistoryException {
    ReplayStart e = events.locate(lastEventId);
    return e.isEarliest() ? application.locate(lastEventId) : e;
  }

  @Override
  public Update find(String eventId) throws HistoryException {
    Update e = events.find(eventId);
    return e != null ? e : application.find(eventId);
  }

  /** Both parts' pages merged by sequence; short only when both are exhausted in the range. */
  @Override
  public List<Update> read(long afterSequence, long upToSequence, int limit) throws HistoryException {
    List<Update> hub = events.read(afterSequence, upToSequence, limit);
    List<Update> apps = application.read(afterSequence, upToSequence, limit);
    if (hub.isEmpty()) {
      return apps;
    }
    List<Update> out = new ArrayList<>(Math.min(limit, hub.size() + apps.size()));
    int i = 0;
    int j = 0;
    while (out.size() < limit && (i < apps.size() || j < hub.size())) {
      if (j == hub.size() || (i < apps.size() && apps.get(i).sequence() < hub.get(j).sequence())) {
        out.add(apps.get(i++));
      } else {
        out.add(hub.get(j++));
      }
    }
    return out;
  }

  @Override
  public String lastEventId() {
    return events.lastSequence() > application.lastSequence()
        ? events.lastEventId()
        : application.lastEventId();
  }

  /** The application history's answer: the events' ring is in memory and never fails. */
  @Override
  public boolean recovered() {
    return application.recovered();
  }

  /** Closes the application history too. */
  @Override
  public void close() {
    application.close();
  }
}
