package dev.skiff.operator.reconciler;

import dev.skiff.operator.status.TrafficStatus;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the cluster serves one Gateway API route kind (v1; HTTPRoute or GRPCRoute), asked at most
 * every {@link #TTL} so a busy operator does not read the CRD on every reconcile, yet notices
 * within that time when the CRD is installed or removed. JOSDK's CRDPresentActivationCondition
 * assumes a CRD never goes away and gives up after ten checks; this one keeps looking. One instance
 * per reconciler, no static state.
 */
final class GatewayApiDetector {

  static final Duration TTL = Duration.ofSeconds(10);
  private static final Logger LOG = LoggerFactory.getLogger(GatewayApiDetector.class);

  private final Clock clock;
  private final String crdName;
  private Instant checkedAt;
  private boolean installed;

  /**
   * @param crdName the route kind's CRD, e.g. {@link TrafficStatus#HTTPROUTE_CRD}
   */
  GatewayApiDetector(Clock clock, String crdName) {
    this.clock = clock;
    this.crdName = crdName;
  }

  synchronized boolean installed(KubernetesClient client) {
    Instant now = clock.instant();
    if (checkedAt != null && now.isBefore(checkedAt.plus(TTL))) {
      return installed;
    }
    boolean found;
    try {
      CustomResourceDefinition crd =
          client.apiextensions().v1().customResourceDefinitions().withName(crdName).get();
      found =
          crd != null
              && crd.getMetadata().getDeletionTimestamp() == null
              && crd.getSpec().getVersions().stream()
                  .anyMatch(v -> "v1".equals(v.getName()) && Boolean.TRUE.equals(v.getServed()));
    } catch (KubernetesClientException e) {
      LOG.warn("cannot read CRD {}: {}", crdName, e.getMessage());
      found = false;
    }
    if (checkedAt == null || found != installed) {
      LOG.info("Gateway API CRD {} v1 {}", crdName, found ? "is installed" : "is not installed");
    }
    installed = found;
    checkedAt = now;
    return installed;
  }
}
