package io.herald.cli;

import java.net.InetSocketAddress;

/** Parses {@code --addr}: {@code :8080} (every interface), {@code HOST:PORT}, {@code [::1]:8080}. */
final class Addresses {
  private Addresses() {}

  static InetSocketAddress parse(String addr) {
    int colon = addr.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("--addr must be HOST:PORT or :PORT, got '" + addr + "'");
    }
    String host = addr.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(addr.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--addr has no valid port: '" + addr + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--addr port out of range: " + port);
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }
}
