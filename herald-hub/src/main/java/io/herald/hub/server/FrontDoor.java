package io.herald.hub.server;

import io.herald.hub.http.ConnectionLimiter;
import io.herald.hub.http.FrontDoorCounters;
import io.herald.hub.publish.PublishIntake;

/**
 * What every connection's pipeline shares to guard the way in: the publish intake (admission
 * from the head, the hub-wide budget of bodies in flight, the bounded aggregation), the
 * connection caps and their counters. Built once by the hub, handed to {@link
 * HubChannelInitializer}.
 */
public record FrontDoor(PublishIntake publish, ConnectionLimiter connections, FrontDoorCounters counters) {}
