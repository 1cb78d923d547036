package io.herald.core.testing;

import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a module's public API names, for the tests that pin it (herald-client's ClientApiTest,
 * herald-hub's HubModuleTest): the visible types of the packages it exports, and every place a
 * visible signature of theirs (supertypes, type parameters, fields, constructors, methods, thrown
 * types, generic arguments) mentions a class the caller does not allow. A leak found this way is
 * a type an application would have to depend on without the module promising it.
 */
public final class ApiSignatures {
  private ApiSignatures() {}

  /**
   * The public and protected classes of {@code built} whose package {@code inApi} accepts, nested
   * ones included (reached from their outer class), loaded without initialising them.
   */
  public static List<Class<?>> visibleTypes(ModuleReference built, Predicate<String> inApi, ClassLoader loader)
      throws IOException {
    List<String> names;
    try (ModuleReader reader = built.open(); Stream<String> resources = reader.list()) {
      names = resources
          .filter(r -> r.endsWith(".class") && !r.equals("module-info.class"))
          .map(r -> r.substring(0, r.length() - ".class".length()).replace('/', '.'))
          .filter(n -> n.lastIndexOf('.') > 0 && inApi.test(n.substring(0, n.lastIndexOf('.'))))
          .filter(n -> !n.contains("$"))
          .sorted()
          .collect(Collectors.toList());
    }
    List<Class<?>> visible = new ArrayList<>();
    for (String name : names) {
      try {
        addVisible(Class.forName(name, false, loader), visible);
      } catch (ClassNotFoundException e) {
        throw new AssertionError(name, e);
      }
    }
    return visible;
  }

  /** Each mention of a class {@code allowed} refuses in the visible signatures of {@code types}, as "where: class". */
  public static Set<String> leaks(List<Class<?>> types, Predicate<Class<?>> allowed) {
    Set<String> leaks = new TreeSet<>();
    for (Class<?> type : types) {
      String where = type.getName();
      check(where + " extends", type.getGenericSuperclass(), allowed, leaks, new ArrayList<>());
      for (Type t : type.getGenericInterfaces()) {
        check(where + " implements", t, allowed, leaks, new ArrayList<>());
      }
      for (TypeVariable<?> v : type.getTypeParameters()) {
        check(where + "<" + v.getName() + ">", v, allowed, leaks, new ArrayList<>());
      }
      for (Field f : type.getDeclaredFields()) {
        if (visible(f)) {
          check(where + "." + f.getName(), f.getGenericType(), allowed, leaks, new ArrayList<>());
        }
      }
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (visible(c)) {
          checkExecutable(where + ".<init>", c, allowed, leaks);
        }
      }
      for (Method m : type.getDeclaredMethods()) {
        if (visible(m)) {
          check(where + "." + m.getName() + " returns", m.getGenericReturnType(), allowed, leaks, new ArrayList<>());
          checkExecutable(where + "." + m.getName(), m, allowed, leaks);
        }
      }
    }
    return leaks;
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

  private static void checkExecutable(String where, Executable e, Predicate<Class<?>> allowed, Set<String> leaks) {
    for (Type t : e.getGenericParameterTypes()) {
      check(where + " parameter", t, allowed, leaks, new ArrayList<>());
    }
    for (Type t : e.getGenericExceptionTypes()) {
      check(where + " throws", t, allowed, leaks, new ArrayList<>());
    }
    for (TypeVariable<?> v : e.getTypeParameters()) {
      check(where + "<" + v.getName() + ">", v, allowed, leaks, new ArrayList<>());
    }
  }

  private static void check(String where, Type type, Predicate<Class<?>> allowed, Set<String> leaks, List<Type> seen) {
    if (type == null || seen.contains(type)) {
      return;
    }
    seen.add(type);
    if (type instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      if (!c.isPrimitive() && !allowed.test(c)) {
        leaks.add(where + ": " + c.getName());
      }
    } else if (type instanceof ParameterizedType p) {
      check(where, p.getRawType(), allowed, leaks, seen);
      check(where, p.getOwnerType(), allowed, leaks, seen);
      for (Type argument : p.getActualTypeArguments()) {
        check(where, argument, allowed, leaks, seen);
      }
    } else if (type instanceof WildcardType w) {
      for (Type bound : w.getUpperBounds()) {
        check(where, bound, allowed, leaks, seen);
      }
      for (Type bound : w.getLowerBounds()) {
        check(where, bound, allowed, leaks, seen);
      }
    } else if (type instanceof GenericArrayType a) {
      check(where, a.getGenericComponentType(), allowed, leaks, seen);
    } else if (type instanceof TypeVariable<?> v) {
      for (Type bound : v.getBounds()) {
        check(where, bound, allowed, leaks, seen);
      }
    }
  }
}
