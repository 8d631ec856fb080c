package dev.skiff.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar skiff-operator.jar}: runs the operator against the current kubeconfig. */
@Command(
    name = "skiff-operator",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Reconciles ModelDeployment resources into model servers.")
public final class Main implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  static final String IMAGE_REPOSITORY = "ghcr.io/skiff-dev/skiff-runtime";

  @Option(
      names = "--namespaces",
      split = ",",
      defaultValue = "${env:SKIFF_NAMESPACES}",
      description =
          "Namespaces to watch, comma-separated; empty watches all (env SKIFF_NAMESPACES).")
  List<String> namespaces;

  @Option(
      names = "--runtime-image",
      defaultValue = "${env:SKIFF_RUNTIME_IMAGE}",
      description =
          "Default runtime image (env SKIFF_RUNTIME_IMAGE; default "
              + IMAGE_REPOSITORY
              + ":<operator version>).")
  String runtimeImage;

  @Option(
      names = "--leader-election",
      negatable = true,
      defaultValue = "${env:SKIFF_LEADER_ELECTION:-false}",
      fallbackValue = "true",
      description =
          "Elect a leader through a Lease so replicas can stand by (env SKIFF_LEADER_ELECTION).")
  boolean leaderElection;

  @Option(
      names = "--lease-namespace",
      defaultValue = "${env:SKIFF_LEASE_NAMESPACE:-${env:POD_NAMESPACE:-default}}",
      description =
          "Namespace of the leader-election Lease (env SKIFF_LEASE_NAMESPACE, POD_NAMESPACE).")
  String leaseNamespace;

  @Option(
      names = "--lease-name",
      defaultValue = "skiff-operator",
      description = "Name of the leader-election Lease.")
  String leaseName;

  @Option(
      names = "--port",
      defaultValue = "${env:SKIFF_OPERATOR_PORT:-8081}",
      description = "Port of /healthz, /readyz and /metrics (env SKIFF_OPERATOR_PORT).")
  int port;

  @Option(
      names = "--reconcile-threads",
      defaultValue = "${env:SKIFF_RECONCILE_THREADS:-4}",
      description = "Reconciliations that may run at once.")
  int reconcileThreads;

  @Option(
      names = "--cache-sync-timeout",
      defaultValue = "${env:SKIFF_CACHE_SYNC_TIMEOUT:-PT2M}",
      description = "How long informers may take to list at startup (ISO-8601 duration).")
  Duration cacheSyncTimeout;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Set<String> watched = new LinkedHashSet<>();
    if (namespaces != null) {
      namespaces.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(watched::add);
    }
    String image =
        runtimeImage == null || runtimeImage.isBlank()
            ? IMAGE_REPOSITORY + ":" + Version.version()
            : runtimeImage;
    SkiffOperator.Config config =
        new SkiffOperator.Config(
            watched,
            image,
            reconcileThreads,
            leaderElection ? leaseNamespace : null,
            leaseName,
            cacheSyncTimeout);

    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    KubernetesClient client = new KubernetesClientBuilder().build();
    OperatorMetrics metrics = new OperatorMetrics(registry);
    SkiffOperator operator = new SkiffOperator(client, config, metrics, metrics.conditions());
    HealthServer health = new HealthServer(port, () -> true, operator::isReady, registry);
    health.start();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("shutting down: finishing running reconciliations");
                  try {
                    operator.close();
                  } finally {
                    health.close();
                    client.close();
                    stopped.countDown();
                  }
                },
                "skiff-shutdown"));

    LOG.info(
        "skiff-operator {} watching {} with runtime image {}, leader election {}, health on :{}",
        Version.version(),
        watched.isEmpty() ? "all namespaces" : watched,
        image,
        leaderElection ? "on (lease " + leaseNamespace + "/" + leaseName + ")" : "off",
        health.port());
    operator.start();
    stopped.await();
    return 0;
  }

  /** The operator version, from the build (Maven resource filtering). */
  static final class Version implements CommandLine.IVersionProvider {
    static String version() {
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        Properties p = new Properties();
        if (in != null) {
          p.load(in);
        }
        return p.getProperty("version", "dev");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String[] getVersion() {
      return new String[] {"skiff-operator " + version()};
    }
  }
}
