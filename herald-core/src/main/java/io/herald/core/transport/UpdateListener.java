package io.herald.core.transport;

import io.herald.core.update.Update;

/** Receives accepted updates from a {@link Transport}, one at a time, in sequence order. */
@FunctionalInterface
public interface UpdateListener {
  /** Must not block: it runs on the transport's dispatch thread. */
  void onUpdate(Update update);
}
