package io.herald.hub;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The package graph of herald-hub and herald-core, checked on their compiled classes (main code
 * only), so a new import that closes a cycle or reaches the wrong way fails the build:
 *
 * <ul>
 *   <li>herald-hub's packages have no cycle, the root package {@code io.herald.hub} ({@link
 *       HubServer}, {@link HubConfig}) counted as a package of its own;</li>
 *   <li>the toolbox and leaves ({@code http}, {@code auth}, {@code json}, {@code limits}) use no
 *       feature package, the pipelines ({@code server}) or the root: features use them, never the
 *       other way round;</li>
 *   <li>no feature package uses the pipelines ({@code server}): they route into the features,
 *       which never call back;</li>
 *   <li>no package uses the root package, the pipelines ({@code server}) included: each takes
 *       the few settings it needs (a small record such as {@code PublishSettings}), built from
 *       {@link HubConfig} by {@link HubServer}, never the whole configuration;</li>
 *   <li>herald-core has no cycle and knows nothing of Netty, Redis, RocksDB or JWT libraries.</li>
 * </ul>
 *
 * <p>Run alone: {@code ./mvnw -pl herald-hub -am test -Dtest=PackageRulesTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class PackageRulesTest {
  private static final String HUB = "io.herald.hub";
  private static final String[] FEATURES = {
    HUB + ".publish..", HUB + ".subscribe..", HUB + ".subscriptions..", HUB + ".ops..",
    HUB + ".page..", HUB + ".demo..", HUB + ".server.."
  };

  private static final JavaClasses HUB_CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages(HUB);
  private static final JavaClasses CORE_CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.herald.core");

  /** Each first-level package of herald-hub is a slice, and the root package one more. */
  private static final SliceAssignment HUB_PACKAGES = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
      String pkg = javaClass.getPackageName();
      if (pkg.equals(HUB)) {
        return SliceIdentifier.of("(root)");
      }
      if (pkg.startsWith(HUB + ".")) {
        String rest = pkg.substring(HUB.length() + 1);
        int dot = rest.indexOf('.');
        return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
      }
      return SliceIdentifier.ignore();
    }

    @Override
    public String getDescription() {
      return "the packages of herald-hub, its root package included";
    }
  };

  @Test
  void heraldHubPackagesHaveNoCycle() {
    slices().assignedFrom(HUB_PACKAGES).should().beFreeOfCycles().check(HUB_CLASSES);
  }

  @Test
  void theToolboxAndLeavesUseNoFeatureNorTheRoot() {
    noClasses().that().resideInAnyPackage(HUB + ".http..", HUB + ".auth..", HUB + ".json..", HUB + ".limits..")
        .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
        .orShould().dependOnClassesThat().resideInAPackage(HUB)
        .check(HUB_CLASSES);
  }

  /**
   * The pipelines route down into the features and never get called back: a publish goes from
   * {@code server}'s router on into {@code publish}'s intake and does not come back, so the path
   * of an update visits each package once.
   */
  @Test
  void noFeatureUsesThePipelines() {
    noClasses().that().resideInAnyPackage(
            HUB + ".publish..", HUB + ".subscribe..", HUB + ".subscriptions..", HUB + ".ops..",
            HUB + ".page..", HUB + ".demo..")
        .should().dependOnClassesThat().resideInAPackage(HUB + ".server..")
        .check(HUB_CLASSES);
  }

  @Test
  void noPackageUsesTheRoot() {
    noClasses().that().resideInAPackage(HUB + "..")
        .and().resideOutsideOfPackage(HUB)
        .should().dependOnClassesThat().resideInAPackage(HUB)
        .check(HUB_CLASSES);
  }

  @Test
  void heraldCoreHasNoCycle() {
    slices().matching("io.herald.core.(*)..").should().beFreeOfCycles().check(CORE_CLASSES);
  }

  @Test
  void heraldCoreKnowsNoNettyRedisRocksDbOrJwtLibrary() {
    noClasses().that().resideInAPackage("io.herald.core..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.netty..", "io.lettuce..", "redis..", "org.rocksdb..", "com.nimbusds..")
        .check(CORE_CLASSES);
  }
}
