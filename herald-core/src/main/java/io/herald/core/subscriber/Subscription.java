package io.herald.core.subscriber;

import io.herald.core.auth.Grants;
import java.util.List;

/** What the dispatcher needs to know about a subscriber: what it selected and what it may see. */
public interface Subscription {
  /** The topic selectors from the subscribe request ({@code topic} query parameters). */
  List<String> selectors();

  /** What the subscriber's token grants (or {@link Grants#ANONYMOUS}). */
  Grants grants();
}
