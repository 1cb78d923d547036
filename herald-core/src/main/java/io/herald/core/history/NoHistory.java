package io.herald.core.history;

import io.herald.core.update.Update;
import java.util.List;

/**
 * Keeps nothing: resumption always means "earliest", which is empty. For hubs where replay is
 * done elsewhere or not wanted ({@code --history none}).
 */
public final class NoHistory implements History {
  private volatile long lastSequence;
  private volatile String lastEventId;

  @Override
  public void append(List<Update> batch) {
    if (!batch.isEmpty()) {
      Update last = batch.get(batch.size() - 1);
      lastEventId = last.id();
      lastSequence = last.sequence();
    }
  }

  @Override
  public long lastSequence() {
    return lastSequence;
  }

  @Override
  public ReplayStart locate(String lastEventId) {
    return ReplayStart.earliest();
  }

  /**
   * Always {@code null}: with no history there is nothing for an ID to be unique in, so every
   * publish is stored and dispatched, even one that reuses an ID.
   */
  @Override
  public Update find(String eventId) {
    return null;
  }

  @Override
  public List<Update> read(long afterSequence, long upToSequence, int limit) {
    return List.of();
  }

  @Override
  public String lastEventId() {
    return lastEventId;
  }

  @Override
  public void close() {}
}
