package io.herald.hub.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Collects a request body up to the configured limit; past it, answers 413 with the limit in the
 * reason and closes, so a publisher cannot make the hub buffer an unbounded body.
 */
public final class BodyLimit extends HttpObjectAggregator {
  private final int maxBytes;

  public BodyLimit(int maxBytes) {
    super(maxBytes, true);
    this.maxBytes = maxBytes;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    Responses.failAndClose(
        ctx,
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "request body larger than " + maxBytes + " bytes");
  }
}
