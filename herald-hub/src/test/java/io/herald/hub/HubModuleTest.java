package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.core.testing.ApiSignatures;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pins herald-hub's module (src/main/java/module-info.java): it exports the root package, {@code
 * auth} and {@code limits} and nothing else, requires transitively only the modules whose types
 * its API mentions, and no public signature in an exported package mentions a type of an
 * unexported hub package. The descriptor is read from the classes just built, as an application
 * would find it.
 */
class HubModuleTest {
  private static final String MODULE = "io.herald.hub";
  private static final Set<String> EXPORTED =
      Set.of(MODULE, MODULE + ".auth", MODULE + ".limits");
  /** The modules whose types the API mentions besides the hub's own and the JDK's java.base. */
  private static final Set<String> API_MODULES = Set.of("io.herald.core", "com.nimbusds.jose.jwt");

  private static ModuleReference built() throws URISyntaxException {
    Path classes = Path.of(HubServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return ModuleFinder.of(classes).find(MODULE).orElseThrow();
  }

  @Test
  void theModuleExportsTheRootAuthAndLimitsOnly() throws Exception {
    ModuleDescriptor hub = built().descriptor();

    assertThat(hub.exports())
        .extracting(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::isQualified)
        .containsExactlyInAnyOrder(
            tuple(MODULE, false), tuple(MODULE + ".auth", false), tuple(MODULE + ".limits", false));
    assertThat(hub.opens()).isEmpty();
    assertThat(hub.isOpen()).isFalse();
    // The internals are in the module, just not exported.
    assertThat(hub.packages())
        .contains(MODULE + ".server", MODULE + ".http", MODULE + ".publish", MODULE + ".subscribe",
            MODULE + ".subscriptions", MODULE + ".ops", MODULE + ".page", MODULE + ".demo",
            MODULE + ".json");
  }

  @Test
  void onlyTheModulesTheApiMentionsAreRequiredTransitively() throws Exception {
    ModuleDescriptor hub = built().descriptor();

    assertThat(hub.requires())
        .filteredOn(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
        .extracting(ModuleDescriptor.Requires::name)
        .containsExactlyInAnyOrderElementsOf(API_MODULES);
    assertThat(hub.requires())
        .extracting(ModuleDescriptor.Requires::name)
        .contains("io.netty.codec.http", "io.netty.codec.http2", "io.netty.handler",
            "micrometer.registry.prometheus", "com.github.benmanes.caffeine");
  }

  @Test
  void theTestsRunInsideTheNamedModule() {
    // On the module path (surefire's default once a module-info exists) the tests see the
    // module's real encapsulation; on the class path they would not.
    Module hub = HubServer.class.getModule();
    assertThat(hub.isNamed()).isTrue();
    assertThat(hub.getName()).isEqualTo(MODULE);
    assertThat(hub.isExported(MODULE + ".limits")).isTrue();
    assertThat(hub.isExported(MODULE + ".server")).isFalse();
    assertThat(hub.isExported(MODULE + ".publish")).isFalse();
    assertThat(hub.isExported(MODULE + ".subscribe")).isFalse();
    // herald-core resolves by the stable name its manifest gives it.
    assertThat(io.herald.core.transport.Transport.class.getModule().getName()).isEqualTo("io.herald.core");
  }

  /**
   * An exported signature may mention the hub's exported packages, java.base and the modules
   * required transitively. The one exception, pinned here so that it cannot grow: two classes of
   * the limits' own machinery, public for the hub's other packages, name Netty types; they are
   * exported only because they share {@code limits} with {@code LimitSettings}, which {@code
   * HubConfig} takes.
   */
  @Test
  void noExportedSignatureMentionsAnUnexportedHubPackage() throws Exception {
    List<Class<?>> api = apiClasses();
    assertThat(api)
        .extracting(Class::getSimpleName)
        .contains("HubServer", "HubConfig", "Builder", "PublishStats", "SubscriberStats",
            "JwtVerifier", "JwtKeys", "TokenIssuer", "LimitSettings", "RequestLimits");

    assertThat(ApiSignatures.leaks(api, HubModuleTest::allowed)).containsExactlyInAnyOrder(
        "io.herald.hub.limits.LimitKeys.clientAddress parameter: io.netty.channel.Channel",
        "io.herald.hub.limits.Refusal.response returns: io.netty.handler.codec.http.FullHttpResponse");
  }

  /** The public and protected classes of the exported packages as built, nested ones included. */
  private static List<Class<?>> apiClasses() throws IOException, URISyntaxException {
    return ApiSignatures.visibleTypes(built(), EXPORTED::contains, HubModuleTest.class.getClassLoader());
  }

  private static boolean allowed(Class<?> c) {
    Module module = c.getModule();
    if (module.getName() == null) {
      return false;
    }
    if (module.getName().equals(MODULE)) {
      return EXPORTED.contains(c.getPackageName());
    }
    return module.getName().equals("java.base") || API_MODULES.contains(module.getName());
  }
}
