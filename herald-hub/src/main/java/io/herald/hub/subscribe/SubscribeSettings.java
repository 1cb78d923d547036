package io.herald.hub.subscribe;

import io.herald.hub.auth.JwtVerifier;

/**
 * What {@link SubscribeHandler} needs of the hub's configuration, and nothing more (the hub builds
 * it from its {@code HubConfig}; see there for each setting's meaning and default).
 *
 * @param maxTopics the most topic selectors one subscription may have
 * @param maxTopicBytes the longest a selector may be, in UTF-8 bytes
 * @param cookieName the cookie a browser's token may come in
 * @param subscriberVerifier verifies subscriber tokens
 * @param anonymous whether a subscriber without a token may read public updates
 * @param maxQueuedBytes the bytes one stream may have queued before it is cut
 * @param retryMillis the {@code retry:} sent first on every stream, or negative for none
 */
public record SubscribeSettings(
    int maxTopics,
    int maxTopicBytes,
    String cookieName,
    JwtVerifier subscriberVerifier,
    boolean anonymous,
    int maxQueuedBytes,
    long retryMillis) {}
