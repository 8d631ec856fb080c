package dev.skiff.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The runtime's package structure (docs/architecture.md), checked on its compiled classes: no two
 * packages depend on each other, directly or round a loop, and the runtime never uses Fabric8 (the
 * contract it shares with the operator is plain records).
 */
@AnalyzeClasses(
    packages = "dev.skiff.runtime",
    importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {

  @ArchTest
  static final ArchRule packagesAreFreeOfCycles =
      slices().matching("dev.skiff.runtime.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule noFabric8 =
      noClasses()
          .that()
          .resideInAPackage("dev.skiff.runtime..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.fabric8..");

  @ArchTest
  static final ArchRule routeModeDoesNotUseServeMode =
      noClasses()
          .that()
          .resideInAPackage("dev.skiff.runtime.route..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.skiff.runtime.serve..",
              "dev.skiff.runtime.model..",
              "dev.skiff.runtime.backend..");
}
