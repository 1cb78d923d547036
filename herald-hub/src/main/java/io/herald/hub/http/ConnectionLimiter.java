package io.herald.hub.http;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps open connections, per client address and in total, at accept: a client that opens
 * connections without end (each one costs a file descriptor and buffers) cannot starve the others
 * nor run the process out of files. A connection over a cap is closed before anything is read from
 * it. Places are given back when connections close.
 *
 * <p>Behind a reverse proxy every client has the proxy's address: the per-address cap must then be
 * raised or turned off (0).
 */
public final class ConnectionLimiter {
  private final int maxPerAddress;
  private final int maxTotal;
  private final FrontDoorCounters counters;
  private final AtomicInteger open = new AtomicInteger();
  /** Open connections by client address; an address leaves the map with its last connection. */
  private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

  /**
   * @param maxPerAddress open connections allowed from one address, 0 for no limit
   * @param maxTotal open connections allowed in total
   */
  public ConnectionLimiter(int maxPerAddress, int maxTotal, FrontDoorCounters counters) {
    this.maxPerAddress = maxPerAddress;
    this.maxTotal = maxTotal;
    this.counters = counters;
  }

  /**
   * Counts {@code ch} in, or returns {@code false} (counted as a refusal) when a cap is reached:
   * the caller then closes it. An admitted channel is counted out when it closes.
   */
  public boolean admit(Channel ch) {
    if (open.incrementAndGet() > maxTotal) {
      open.decrementAndGet();
      counters.connectionRefusedTotal();
      return false;
    }
    InetAddress address = addressOf(ch.remoteAddress());
    if (maxPerAddress > 0 && address != null) {
      boolean[] admitted = {false};
      perAddress.compute(address, (a, n) -> {
        int count = n == null ? 0 : n;
        if (count >= maxPerAddress) {
          return n;
        }
        admitted[0] = true;
        return count + 1;
      });
      if (!admitted[0]) {
        open.decrementAndGet();
        counters.connectionRefusedPerAddress();
        return false;
      }
    }
    ch.closeFuture().addListener(f -> {
      open.decrementAndGet();
      if (maxPerAddress > 0 && address != null) {
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
      }
    });
    return true;
  }

  /** Connections open now. */
  public int open() {
    return open.get();
  }

  private static InetAddress addressOf(SocketAddress remote) {
    return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}
