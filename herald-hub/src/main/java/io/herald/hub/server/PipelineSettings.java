package io.herald.hub.server;

import java.time.Duration;

/**
 * What the channel initializers need of the hub's configuration, and nothing more (the hub builds
 * it from its {@code HubConfig}; see there for each setting's meaning and default), so this
 * package does not depend on the root package that depends on it.
 *
 * @param headerTimeout how long a request head (or a TLS handshake) may take; zero: no limit
 * @param bodyTimeout how long a request body may take; zero: no limit
 * @param maxUriBytes the longest request line
 * @param maxHeaderBytes the most header bytes a request may have
 * @param maxBodyBytes the largest request body
 * @param maxStreamsPerConnection the most concurrent HTTP/2 streams of one connection
 */
public record PipelineSettings(
    Duration headerTimeout,
    Duration bodyTimeout,
    int maxUriBytes,
    int maxHeaderBytes,
    int maxBodyBytes,
    int maxStreamsPerConnection) {}
