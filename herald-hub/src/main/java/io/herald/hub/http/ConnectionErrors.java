package io.herald.hub.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.PrematureChannelClosureException;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * What a connection's last handler does with an error that reached it: log it and close the
 * connection (HTTP/2: the stream). One rule for every pipeline end, so the router and the publish
 * intake treat errors alike.
 */
public final class ConnectionErrors {
  private static final System.Logger LOG = System.getLogger(ConnectionErrors.class.getName());

  private ConnectionErrors() {}

  /**
   * Logs {@code cause} and closes. Connection resets and broken pipes are the normal end of a
   * stream, and a client gone in the middle of its body ({@link PrematureChannelClosureException})
   * is one too: not worth a stack trace.
   */
  public static void close(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
      LOG.log(Level.DEBUG, "connection error: {0}", cause.toString());
    } else {
      LOG.log(Level.WARNING, "unexpected error on " + ctx.channel() + ", closing it", cause);
    }
    ctx.close();
  }
}
