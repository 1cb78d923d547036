package io.herald.hub.publish;

import io.herald.core.auth.Grants;
import java.util.Objects;

/**
 * Who asks {@link PublishService} to publish, which decides what the update may do.
 *
 * <ul>
 *   <li>{@link Client}: the bearer of a verified publisher token. Every rule applies, including
 *       the reservation of {@code /.well-known/mercure}, and its {@code mercure.publish} grants
 *       must allow every topic. Counted in {@link PublishCounters}.</li>
 *   <li>{@link Feature}: a part of the hub that publishes like a client, under grants fixed in
 *       code (the demo clock may publish on {@code demo/clock} and nowhere else). Same rules as a
 *       client; not counted, since no client asked.</li>
 *   <li>{@link #HUB}: the hub itself, writing its subscription events. The only principal that
 *       may write in the reserved namespace, and it may write nowhere else. No token maps to it:
 *       {@link PublishHandler} only ever builds a {@link Client} from a verified token, so a
 *       publisher cannot forge the hub's events.</li>
 * </ul>
 */
public sealed interface Publisher permits Publisher.Client, Publisher.Feature, Publisher.Hub {
  /** The hub itself: its own namespace only. */
  Publisher HUB = Hub.INSTANCE;

  /** A client, with the grants of its verified token. */
  static Publisher client(Grants grants) {
    return new Client(grants);
  }

  /** A hub feature named {@code name} (for logs), allowed what {@code grants} allow. */
  static Publisher feature(String name, Grants grants) {
    return new Feature(name, grants);
  }

  /** The bearer of a verified publisher token. */
  record Client(Grants grants) implements Publisher {
    public Client {
      Objects.requireNonNull(grants, "grants");
    }
  }

  /** A hub feature publishing under fixed grants. */
  record Feature(String name, Grants grants) implements Publisher {
    public Feature {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(grants, "grants");
    }
  }

  /** The hub itself (see {@link Publisher#HUB}). */
  enum Hub implements Publisher {
    INSTANCE
  }
}
