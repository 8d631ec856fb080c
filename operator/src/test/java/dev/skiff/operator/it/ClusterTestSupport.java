package dev.skiff.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.operator.SkiffOperator;
import dev.skiff.operator.status.ConditionType;
import dev.skiff.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the integration tests: a real kube-apiserver from {@code KUBECONFIG} (the local control
 * plane of {@code make cluster-up}), the generated CRD installed, a fresh namespace per test class,
 * and the operator running in-process against that namespace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterTestSupport {

  static final Duration TIMEOUT = Duration.ofSeconds(90);
  static final String RUNTIME_IMAGE = "ghcr.io/skiff-dev/skiff-runtime:it";

  KubernetesClient client;
  String namespace;
  SkiffOperator operator;

  /** The reconciliations the current operator completed (a new counter per start). */
  ReconcileCounter reconciles;

  @BeforeAll
  void connectAndPrepare() throws IOException {
    String kubeconfig = System.getenv("KUBECONFIG");
    assertThat(kubeconfig)
        .as(
            "KUBECONFIG must point at a real API server: run `make cluster-up` and"
                + " `source .cluster/env` (or `make test`), or skip the ITs with -DskipITs")
        .isNotBlank();
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(Path.of(kubeconfig))))
            .build();
    installCrd(client);
    namespace =
        "skiff-it-"
            + getClass().getSimpleName().toLowerCase(Locale.ROOT).replace("it", "")
            + "-"
            + UUID.randomUUID().toString().substring(0, 6);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                client.serviceAccounts().inNamespace(namespace).withName("default").get() != null);
    startOperator();
  }

  @AfterAll
  void tearDown() {
    stopOperator();
    if (client != null && namespace != null) {
      client.namespaces().withName(namespace).delete();
      client.close();
    }
  }

  void startOperator() {
    reconciles = new ReconcileCounter();
    operator =
        new SkiffOperator(
            client,
            SkiffOperator.Config.forNamespaces(Set.of(namespace), RUNTIME_IMAGE),
            reconciles);
    operator.start();
  }

  void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  /** Create-or-replace the committed CRD and wait until the API server serves it. */
  static synchronized void installCrd(KubernetesClient client) throws IOException {
    Path file =
        Path.of(System.getProperty("skiff.crd", "../crds/modeldeployments.skiff.dev-v1.yml"));
    CustomResourceDefinition crd;
    try (InputStream in = Files.newInputStream(file)) {
      crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
    }
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(crd)
        .forceConflicts()
        .serverSideApply();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(ModelDeployment.CRD_NAME)
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    // the API server fills in status a moment after the apply returns
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
            60,
            TimeUnit.SECONDS);
  }

  MixedOperation<ModelDeployment, ?, Resource<ModelDeployment>> mds() {
    return client.resources(ModelDeployment.class);
  }

  ModelDeployment md(String name) {
    return mds().inNamespace(namespace).withName(name).get();
  }

  /** Applies every document of an example file (or YAML text) into the test namespace. */
  List<HasMetadata> apply(String yaml) {
    List<HasMetadata> items =
        client
            .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
            .inNamespace(namespace)
            .resources()
            .map(Resource::item)
            .toList();
    for (HasMetadata item : items) {
      item.getMetadata().setNamespace(namespace);
      client.resource(item).inNamespace(namespace).forceConflicts().serverSideApply();
    }
    return items;
  }

  static String example(String file) throws IOException {
    Path dir = Path.of(System.getProperty("skiff.examples", "../examples"));
    return Files.readString(dir.resolve(file));
  }

  /** Events the operator recorded about a ModelDeployment, oldest first. */
  List<Event> events(String name) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .filter(e -> ModelDeployment.KIND.equals(e.getInvolvedObject().getKind()))
        .sorted(Comparator.comparing(e -> e.getMetadata().getCreationTimestamp()))
        .toList();
  }

  void awaitCondition(String name, ConditionType type, String status) {
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              ModelDeployment md = md(name);
              assertThat(md.getStatus()).as("status of %s", name).isNotNull();
              assertThat(Conditions.find(md.getStatus().getConditions(), type))
                  .as("%s condition of %s: %s", type, name, md.getStatus().getConditions())
                  .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(status));
            });
  }
}
