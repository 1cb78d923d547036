/**
 * Herald's Java client: Server-Sent Events and Herald/Mercure hubs, on the JDK alone.
 *
 * <ul>
 *   <li>{@link io.herald.client.EventSources} builds an {@link io.herald.client.EventSource} for
 *       any SSE endpoint: callbacks ({@link io.herald.client.EventSourceListener}), a blocking
 *       {@link io.herald.client.EventStream}, or a {@link java.util.concurrent.Flow.Publisher}.
 *       Reconnection, {@code Last-Event-ID}, backoff and error handling follow the WHATWG
 *       EventSource, with the choices a library must leave to its user made explicit ({@link
 *       io.herald.client.ErrorStrategy}).
 *   <li>{@link io.herald.client.HubClient} publishes to a hub, subscribes to topics and reads the
 *       subscriptions API.
 * </ul>
 *
 * <p>Everything under {@code io.herald.client.internal} is implementation, not API.
 */
package io.herald.client;
