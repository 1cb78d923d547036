/**
 * Herald's Java client: Server-Sent Events and Herald/Mercure hubs, on the JDK alone.
 *
 * <p>The API is the package {@code io.herald.client} and nothing else: {@code
 * io.herald.client.internal} is not exported, so application code cannot compile against it and
 * the implementation may change in any release. No API type mentions a herald-core type, which is
 * why herald-core is required but not transitively: an application sees only the JDK's {@code
 * java.net.http} (the HTTP client a source may be given, the response an open connection reports)
 * besides this module. {@code ClientApiTest} pins all of this.
 */
@SuppressWarnings("requires-automatic") // herald-core is an automatic module, see its pom.xml
module io.herald.client {
  requires transitive java.net.http;
  requires io.herald.core;

  exports io.herald.client;
}
