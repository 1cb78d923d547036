package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.core.sse.SseParser;
import java.io.IOException;
import java.lang.module.Configuration;
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
    assertThat(leaks).isEmpty();
  }

  /** The public and protected classes of the API package as built, nested ones included. */
  private static List<Class<?>> apiClasses() throws IOException, URISyntaxException {
    ModuleReference built =
        ModuleFinder.of(locationOf(Event.class)).find("io.herald.client").orElseThrow();
    List<String> names;
    try (ModuleReader reader = built.open(); Stream<String> resources = reader.list()) {
      names =
          resources
              .filter(r -> r.startsWith("io/herald/client/") && r.endsWith(".class"))
              .filter(r -> r.indexOf('/', "io/herald/client/".length()) < 0)
              .map(r -> r.substring(0, r.length() - ".class".length()).replace('/', '.'))
              .filter(n -> !n.contains("$")) // nested classes are reached from their outer class
              .sorted()
              .collect(Collectors.toList());
    }
    List<Class<?>> visible = new ArrayList<>();
    for (String name : names) {
      try {
        addVisible(Class.forName(name, false, ClientApiTest.class.getClassLoader()), visible);
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

  /** Records in {@code leaks} every type inside {@code type} that an API may not mention. */
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
    if (c.getPackageName().equals(API)) {
      return true;
    }
    Module module = c.getModule();
    return module.isNamed() && JDK_MODULES_IN_THE_API.contains(module.getName());
  }
}
