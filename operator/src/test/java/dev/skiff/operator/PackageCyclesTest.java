package dev.skiff.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The operator's package structure (docs/architecture.md), checked on its compiled classes: no
 * package cycles; spec/ is below desired/, traffic/ and status/; desired/ and status/ do not know
 * each other; and the pure packages never touch JOSDK or an API client.
 */
@AnalyzeClasses(
    packages = "dev.skiff.operator",
    importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {

  @ArchTest
  static final ArchRule packagesAreFreeOfCycles =
      slices().matching("dev.skiff.operator.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule specIsBelowTheRest =
      noClasses()
          .that()
          .resideInAPackage("dev.skiff.operator.spec..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.skiff.operator.desired..",
              "dev.skiff.operator.traffic..",
              "dev.skiff.operator.status..",
              "dev.skiff.operator.reconciler..");

  @ArchTest
  static final ArchRule buildersAndStatusAreSeparate =
      noClasses()
          .that()
          .resideInAPackage("dev.skiff.operator.desired..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.skiff.operator.status..")
          .orShould()
          .dependOnClassesThat()
          .resideInAPackage("dev.skiff.operator.reconciler..");

  @ArchTest
  static final ArchRule pureFunctionsNeedNoCluster =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.skiff.operator.spec..",
              "dev.skiff.operator.traffic..",
              "dev.skiff.operator.desired..",
              "dev.skiff.operator.status..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.javaoperatorsdk..", "io.fabric8.kubernetes.client..");
}
