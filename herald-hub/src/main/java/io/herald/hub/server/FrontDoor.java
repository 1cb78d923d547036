package io.herald.hub.server;

import io.herald.hub.http.ConnectionLimiter;
import io.herald.hub.http.FrontDoorCounters;
import io.herald.hub.http.BodyBudget;
import io.herald.hub.publish.PublishHandler;

/**
 * What every connection's pipeline shares to guard the way in: the publish admission (token
 * verified from the head), the hub-wide budget of request bodies in flight, the connection caps
 * and their counters. Built once by the hub, handed to {@link HubChannelInitializer}.
 */
public record FrontDoor(
    PublishHandler publish, BodyBudget budget, ConnectionLimiter connections, FrontDoorCounters counters) {}
