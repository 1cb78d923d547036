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
 * <p>Events arrive as the client's own {@link io.herald.client.Event}: no type of this package
 * comes from herald-core or from {@code io.herald.client.internal}, which is implementation, not
 * API, and which the module does not export.
 *
 * <p>Logging goes through {@link System.Logger} only (no dependency: the JDK routes it to {@code
 * java.util.logging} unless the application installs a {@link System.LoggerFinder}), and only
 * for failures nothing else would report: a listener, a handler or an error strategy that
 * throws, at {@code WARNING}. Failures of the source itself are delivered instead ({@link
 * io.herald.client.EventSourceListener#onError}, {@link io.herald.client.EventSource#failure()}).
 */
package io.herald.client;
