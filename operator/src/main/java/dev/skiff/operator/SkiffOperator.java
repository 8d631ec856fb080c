package dev.skiff.operator;

import dev.skiff.operator.desired.RuntimeDefaults;
import dev.skiff.operator.reconciler.ModelDeploymentReconciler;
import dev.skiff.operator.reconciler.StatusListener;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires JOSDK for Skiff: one controller, explicit executor sizes, optional leader election. Used by
 * {@link Main} and by the integration tests, so both run the same operator.
 */
public final class SkiffOperator implements AutoCloseable {

  /**
   * How the operator runs.
   *
   * @param namespaces namespaces to watch; empty means all
   * @param runtimeImage default runtime image
   * @param reconcileThreads reconciliations running at once (JOSDK executor size)
   * @param leaseNamespace namespace of the leader-election Lease; null disables leader election
   * @param leaseName name of the Lease
   * @param cacheSyncTimeout how long informers may take to list at startup
   */
  public record Config(
      Set<String> namespaces,
      String runtimeImage,
      int reconcileThreads,
      String leaseNamespace,
      String leaseName,
      Duration cacheSyncTimeout) {

    public static Config forNamespaces(Set<String> namespaces, String runtimeImage) {
      return new Config(namespaces, runtimeImage, 4, null, "skiff-operator", Duration.ofMinutes(2));
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(SkiffOperator.class);

  private final Operator operator;
  private volatile boolean stopping;
  private volatile boolean startReturned;

  public SkiffOperator(KubernetesClient client, Config config, Metrics metrics) {
    this(client, config, metrics, StatusListener.NONE);
  }

  /** As above, telling {@code statuses} every ModelDeployment status the reconciler computes. */
  public SkiffOperator(
      KubernetesClient client, Config config, Metrics metrics, StatusListener statuses) {
    operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withConcurrentReconciliationThreads(config.reconcileThreads())
                  .withConcurrentWorkflowExecutorThreads(config.reconcileThreads())
                  .withCacheSyncTimeout(config.cacheSyncTimeout())
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(20))
                  .withStopOnInformerErrorDuringStartup(true)
                  .withMetrics(metrics);
              if (config.leaseNamespace() != null) {
                o.withLeaderElectionConfiguration(leaderElection(config));
              }
            });
    operator.register(
        new ModelDeploymentReconciler(new RuntimeDefaults(config.runtimeImage()), statuses),
        o -> {
          if (config.namespaces().isEmpty()) {
            o.watchingAllNamespaces();
          } else {
            o.settingNamespaces(config.namespaces());
          }
        });
  }

  /**
   * JOSDK's default exits the JVM when leadership ends, which deadlocks when it happens inside the
   * shutdown hook (System.exit from a hook blocks). Exit only when leadership is lost while
   * running.
   */
  private LeaderElectionConfiguration leaderElection(Config config) {
    LeaderCallbacks callbacks =
        new LeaderCallbacks(
            () -> LOG.info("became leader"),
            () -> {
              if (!stopping) {
                LOG.error("lost leadership; exiting so a fresh instance can stand by");
                Thread.ofPlatform().start(() -> System.exit(1));
              }
            },
            leader -> LOG.info("leader is {}", leader));
    return new LeaderElectionConfiguration(
        config.leaseName(),
        config.leaseNamespace(),
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        null,
        callbacks,
        false);
  }

  public void start() {
    operator.start();
    startReturned = true;
  }

  /**
   * Ready once {@link #start()} returned: the caches are synced, or this replica is a
   * leader-election standby (ready, so a rolling update of the operator does not stall on it). A
   * started controller must also have healthy informers.
   */
  public boolean isReady() {
    if (!startReturned) {
      return false;
    }
    return !operator.getRuntimeInfo().isStarted()
        || operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  @Override
  public void close() {
    stopping = true;
    operator.stop();
  }
}
