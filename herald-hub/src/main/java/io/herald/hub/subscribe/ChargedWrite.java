package io.herald.hub.subscribe;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.DefaultChannelPromise;

/**
 * The promise of one write to an HTTP/2 stream, carrying what the write was charged: when Netty
 * completes it (the DATA frame left for the socket, or the stream or connection closed and the
 * flow controller let go of the bytes) the charge is released.
 *
 * <p>Netty's stream channel does not say how many writes wait in its flow controller, only their
 * data bytes, so each write carries its own promise. It is its own listener: one object per
 * write, on a path where Netty already allocates a promise and a listener of its own per write.
 * HTTP/1.1 streams do not use it (see {@link SubscriberStream}).
 */
final class ChargedWrite extends DefaultChannelPromise implements ChannelFutureListener {
  private final SubscriberStream stream;
  private final long cost;

  ChargedWrite(Channel channel, SubscriberStream stream, long cost) {
    super(channel);
    this.stream = stream;
    this.cost = cost;
    addListener(this);
  }

  @Override
  public void operationComplete(ChannelFuture future) {
    stream.released(cost);
  }
}
