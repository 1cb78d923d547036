package io.herald.hub.subscribe;

import java.time.Duration;

/**
 * What {@link FanOut} and its per-loop subscribers need of the hub's configuration (the hub builds
 * it from its {@code HubConfig}; see there for each setting's meaning and default).
 *
 * @param maxQueuedBytesTotal the bytes all streams together may have queued
 * @param maxQueuedBytesPerConnection the bytes the streams of one connection may have queued
 * @param heartbeat how often an idle stream gets a comment, or zero for never
 * @param dispatchTimeout how long a stream may stay unwritable before it is cut
 */
public record FanOutSettings(
    long maxQueuedBytesTotal, long maxQueuedBytesPerConnection, Duration heartbeat, Duration dispatchTimeout) {}
