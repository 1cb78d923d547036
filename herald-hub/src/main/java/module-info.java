/**
 * Herald's hub: a Mercure-compatible Server-Sent Events hub on Netty.
 *
 * <p>The API is what {@code herald serve} and an embedding application use, nothing more:
 *
 * <ul>
 *   <li>{@code io.herald.hub}: {@code HubConfig} (and its builder) and {@code HubServer}, with the
 *       read-only counter views {@code HubServer} hands out ({@code PublishStats}, {@code
 *       SubscriberStats});</li>
 *   <li>{@code io.herald.hub.auth}: the JWS keys, verifier and token issuer ({@code HubConfig}
 *       takes a {@code JwtVerifier}; {@code herald serve} reads keys and issues demo tokens);</li>
 *   <li>{@code io.herald.hub.limits}: {@code LimitSettings}, which {@code HubConfig} takes, and
 *       {@code RequestLimits}, which {@code HubServer#requestLimits()} returns. The package also
 *       holds the limits' own machinery (refusals, keys, buckets), public for the hub's other
 *       packages and exported along with it.</li>
 * </ul>
 *
 * <p>The pipelines and routing ({@code server}), the HTTP toolbox ({@code http}), the features
 * ({@code publish}, {@code subscribe}, {@code subscriptions}, {@code ops}, {@code page}, {@code
 * demo}) and {@code json} are not exported: no application can compile against them, so they may
 * change in any release. herald-core ({@code HubServer.start} takes its {@code Transport}, the
 * verifier returns its {@code Grants}) and nimbus-jose-jwt ({@code JwtKeys} names its algorithms
 * and verifiers) appear in the API and are required transitively; Netty, Micrometer and Caffeine
 * are the implementation's. {@code HubModuleTest} pins all of this.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // herald-core, Micrometer
module io.herald.hub {
  requires transitive io.herald.core;
  requires transitive com.nimbusds.jose.jwt;

  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.codec.http2;
  requires io.netty.handler;
  requires micrometer.core;
  requires micrometer.registry.prometheus;
  requires com.github.benmanes.caffeine;
  requires java.management;
  requires jdk.management;

  exports io.herald.hub;
  exports io.herald.hub.auth;
  exports io.herald.hub.limits;
}
