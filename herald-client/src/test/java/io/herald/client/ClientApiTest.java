package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.core.sse.SseParser;
import io.herald.core.testing.ApiSignatures;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pins the client's public surface: the module exports {@code io.herald.client} and nothing
 * else, and nothing public in that package mentions a type from outside it but the JDK's ({@code
 * java.base}, {@code java.net.http}): no herald-core type, no {@code io.herald.client.internal}
 * type. The module is read from the classes just built, as an application would resolve it.
 */
class ClientApiTest {
  private static final String API = "io.herald.client";
  private static final Set<String> JDK_MODULES_IN_THE_API = Set.of("java.base", "java.net.http");

  private static Path locationOf(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /**
   * The built client with the built core, resolved as an application would resolve them: over the
   * JDK's modules and nothing else, so a requirement the client's jar does not state fails here.
   */
  private static Configuration builtModules() throws URISyntaxException {
    ModuleFinder built = ModuleFinder.of(locationOf(Event.class), locationOf(SseParser.class));
    return Configuration.empty()
        .resolve(
            ModuleFinder.compose(ModuleFinder.ofSystem(), built),
            ModuleFinder.of(),
            Set.of("io.herald.client"));
  }

  private static ModuleDescriptor descriptor(Configuration modules, String name) {
    return modules.findModule(name).orElseThrow().reference().descriptor();
  }

  @Test
  void theModuleExportsTheApiPackageOnly() throws Exception {
    ModuleDescriptor client = descriptor(builtModules(), "io.herald.client");

    assertThat(client.exports())
        .extracting(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::isQualified)
        .containsExactly(tuple(API, false));
    assertThat(client.opens()).isEmpty();
    assertThat(client.packages()).containsExactlyInAnyOrder(API, "io.herald.client.internal");
  }

  @Test
  void theModuleRequiresTheJdkAndHeraldCoreByItsStableNameAndPassesOnlyTheJdkOn() throws Exception {
    Configuration modules = builtModules();

    assertThat(descriptor(modules, "io.herald.client").requires())
        .filteredOn(r -> !r.modifiers().contains(ModuleDescriptor.Requires.Modifier.MANDATED))
        .extracting(
            ModuleDescriptor.Requires::name,
            r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
        .containsExactlyInAnyOrder(tuple("java.net.http", true), tuple("io.herald.core", false));
    // herald-core's jar names itself (Automatic-Module-Name in its manifest), not by its file name.
    assertThat(descriptor(modules, "io.herald.core").isAutomatic()).isTrue();
  }

  @Test
  void theTestsRunInsideTheNamedModule() {
    // On the module path (surefire's default once a module-info exists), the tests see the
    // module's real encapsulation; on the class path they would not.
    assertThat(Event.class.getModule().isNamed()).isTrue();
    assertThat(Event.class.getModule().getName()).isEqualTo("io.herald.client");
    assertThat(Event.class.getModule().getDescriptor().exports())
        .extracting(ModuleDescriptor.Exports::source)
        .containsExactly(API);
    assertThat(Event.class.getModule().isExported("io.herald.client.internal")).isFalse();
  }

  @Test
  void noPublicSignatureMentionsATypeFromOutsideTheApiButTheJdks() throws Exception {
    List<Class<?>> api = apiClasses();
    assertThat(api)
        .extracting(Class::getSimpleName)
        .contains("EventSources", "EventSourceListener", "EventStream", "Event", "Publication");

    assertThat(ApiSignatures.leaks(api, ClientApiTest::allowed)).isEmpty();
  }

  /** The public and protected classes of the API package as built, nested ones included. */
  private static List<Class<?>> apiClasses() throws IOException, URISyntaxException {
    ModuleReference built =
        ModuleFinder.of(locationOf(Event.class)).find("io.herald.client").orElseThrow();
    return ApiSignatures.visibleTypes(built, API::equals, ClientApiTest.class.getClassLoader());
  }

  private static boolean allowed(Class<?> c) {
    if (c.getPackageName().equals(API)) {
      return true;
    }
    Module module = c.getModule();
    return module.isNamed() && JDK_MODULES_IN_THE_API.contains(module.getName());
  }
}
