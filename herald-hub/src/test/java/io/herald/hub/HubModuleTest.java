package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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

    Set<String> leaks = new TreeSet<>();
    for (Class<?> type : api) {
      String where = type.getName();
      check(where + " extends", type.getGenericSuperclass(), leaks);
      for (Type t : type.getGenericInterfaces()) {
        check(where + " implements", t, leaks);
      }
      for (TypeVariable<?> v : type.getTypeParameters()) {
        check(where + "<" + v.getName() + ">", v, leaks);
      }
      for (Field f : type.getDeclaredFields()) {
        if (visible(f)) {
          check(where + "." + f.getName(), f.getGenericType(), leaks);
        }
      }
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (visible(c)) {
          checkExecutable(where + ".<init>", c, leaks);
        }
      }
      for (Method m : type.getDeclaredMethods()) {
        if (visible(m)) {
          check(where + "." + m.getName() + " returns", m.getGenericReturnType(), leaks);
          checkExecutable(where + "." + m.getName(), m, leaks);
        }
      }
    }
    assertThat(leaks).containsExactlyInAnyOrder(
        "io.herald.hub.limits.LimitKeys.clientAddress parameter: io.netty.channel.Channel",
        "io.herald.hub.limits.Refusal.response returns: io.netty.handler.codec.http.FullHttpResponse");
  }

  /** The public and protected classes of the exported packages as built, nested ones included. */
  private static List<Class<?>> apiClasses() throws IOException, URISyntaxException {
    List<String> names;
    try (ModuleReader reader = built().open(); Stream<String> resources = reader.list()) {
      names = resources
          .filter(r -> r.endsWith(".class") && !r.equals("module-info.class"))
          .map(r -> r.substring(0, r.length() - ".class".length()).replace('/', '.'))
          .filter(n -> EXPORTED.contains(n.substring(0, n.lastIndexOf('.'))))
          .filter(n -> !n.contains("$")) // nested classes are reached from their outer class
          .sorted()
          .collect(Collectors.toList());
    }
    List<Class<?>> visible = new ArrayList<>();
    for (String name : names) {
      try {
        addVisible(Class.forName(name, false, HubModuleTest.class.getClassLoader()), visible);
      } catch (ClassNotFoundException e) {
        throw new AssertionError(name, e);
      }
    }
    return visible;
  }

  private static void addVisible(Class<?> type, List<Class<?>> visible) {
    int m = type.getModifiers();
    if (!Modifier.isPublic(m) && !Modifier.isProtected(m)) {
      return;
    }
    visible.add(type);
    for (Class<?> nested : type.getDeclaredClasses()) {
      addVisible(nested, visible);
    }
  }

  private static boolean visible(Member member) {
    int m = member.getModifiers();
    return !member.isSynthetic() && (Modifier.isPublic(m) || Modifier.isProtected(m));
  }

  private static void checkExecutable(String where, Executable e, Set<String> leaks) {
    for (Type t : e.getGenericParameterTypes()) {
      check(where + " parameter", t, leaks);
    }
    for (Type t : e.getGenericExceptionTypes()) {
      check(where + " throws", t, leaks);
    }
    for (TypeVariable<?> v : e.getTypeParameters()) {
      check(where + "<" + v.getName() + ">", v, leaks);
    }
  }

  private static void check(String where, Type type, Set<String> leaks) {
    check(where, type, leaks, new ArrayList<>());
  }

  private static void check(String where, Type type, Set<String> leaks, List<Type> seen) {
    if (type == null || seen.contains(type)) {
      return;
    }
    seen.add(type);
    if (type instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      if (!c.isPrimitive() && !allowed(c)) {
        leaks.add(where + ": " + c.getName());
      }
    } else if (type instanceof ParameterizedType p) {
      check(where, p.getRawType(), leaks, seen);
      check(where, p.getOwnerType(), leaks, seen);
      for (Type argument : p.getActualTypeArguments()) {
        check(where, argument, leaks, seen);
      }
    } else if (type instanceof WildcardType w) {
      for (Type bound : w.getUpperBounds()) {
        check(where, bound, leaks, seen);
      }
      for (Type bound : w.getLowerBounds()) {
        check(where, bound, leaks, seen);
      }
    } else if (type instanceof GenericArrayType a) {
      check(where, a.getGenericComponentType(), leaks, seen);
    } else if (type instanceof TypeVariable<?> v) {
      for (Type bound : v.getBounds()) {
        check(where, bound, leaks, seen);
      }
    }
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
