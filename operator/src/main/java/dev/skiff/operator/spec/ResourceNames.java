package dev.skiff.operator.spec;

import dev.skiff.api.contract.RuntimeGrpc;
import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.api.v1alpha1.ModelDeployment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place that names and labels everything the operator creates, so the reconciler, the
 * dependents, the router config and the tests agree.
 */
public final class ResourceNames {

  public static final String LABEL_NAME = "app.kubernetes.io/name";
  public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
  public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
  public static final String LABEL_PART_OF = "app.kubernetes.io/part-of";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String LABEL_MODEL = "skiff.dev/model";
  public static final String LABEL_VERSION = "skiff.dev/version";

  public static final String APP_NAME = "skiff-runtime";
  public static final String MANAGED_BY = "skiff-operator";

  /** Label selector that matches every object this operator manages (its informers use it). */
  public static final String MANAGED_SELECTOR = LABEL_MANAGED_BY + "=" + MANAGED_BY;

  public static final String COMPONENT_SERVER = "model-server";
  public static final String COMPONENT_ENDPOINT = "endpoint";
  public static final String COMPONENT_SETTINGS = "model-settings";
  public static final String COMPONENT_ROUTER = "router";
  public static final String COMPONENT_FEEDBACK_PEERS = "feedback-peers";

  /**
   * Informer selectors (compile-time constants, as annotations need) for one component's children.
   */
  public static final String ROUTER_SELECTOR =
      MANAGED_SELECTOR + "," + LABEL_COMPONENT + "=" + COMPONENT_ROUTER;

  public static final String FEEDBACK_PEERS_SELECTOR =
      MANAGED_SELECTOR + "," + LABEL_COMPONENT + "=" + COMPONENT_FEEDBACK_PEERS;

  public static final String ENDPOINT_SELECTOR =
      MANAGED_SELECTOR + "," + LABEL_COMPONENT + "=" + COMPONENT_ENDPOINT;

  /** Key of the router's config file inside the router ConfigMap. */
  public static final String ROUTER_CONFIG_KEY = "router.yaml";

  /** Annotation on pod templates: hash of the model.yaml, so a settings change rolls the pods. */
  public static final String ANNOTATION_SETTINGS_HASH = "skiff.dev/settings-hash";

  /** The runtime's port, on containers and Services. */
  public static final int HTTP_PORT = RuntimeHttp.PORT;

  public static final String HTTP_PORT_NAME = "http";

  /** The runtime's V2 gRPC port, on containers and Services (not the feedback peers'). */
  public static final int GRPC_PORT = RuntimeHttp.GRPC_PORT;

  public static final String GRPC_PORT_NAME = RuntimeGrpc.PORT_NAME;

  /**
   * A version pod's init container ({@code fetch} mode), whose termination message the status
   * reads.
   */
  public static final String FETCH_CONTAINER = "fetch-model";

  /** A version pod's model server ({@code serve} mode). */
  public static final String SERVER_CONTAINER = "model-server";

  /** The router pod's container ({@code route} mode). */
  public static final String ROUTER_CONTAINER = "router";

  private ResourceNames() {}

  /** Effective model name: spec.model, else metadata.name. */
  public static String modelName(ModelDeployment md) {
    String model = md.getSpec() == null ? null : md.getSpec().getModel();
    return model == null || model.isBlank() ? md.getMetadata().getName() : model;
  }

  /** Deployment, Service and HPA of one version share this name. */
  public static String versionResource(ModelDeployment md, String version) {
    return md.getMetadata().getName() + "-" + version;
  }

  /** The stable Service clients call. */
  public static String stableService(ModelDeployment md) {
    return md.getMetadata().getName();
  }

  /** ConfigMap holding one model.yaml per version. */
  public static String settingsConfigMap(ModelDeployment md) {
    return md.getMetadata().getName() + "-settings";
  }

  /** Key of a version's model.yaml inside the settings ConfigMap. */
  public static String settingsKey(String version) {
    return version + ".model.yaml";
  }

  /** Router Deployment, its ConfigMap and its HPA share this name. */
  public static String router(ModelDeployment md) {
    return md.getMetadata().getName() + "-router";
  }

  /** The headless Service listing every model-server pod, through which they answer feedback. */
  public static String feedbackPeersService(ModelDeployment md) {
    return md.getMetadata().getName() + "-peers";
  }

  /** {@code host:port} of {@link #feedbackPeersService}: every pod's address, by DNS. */
  public static String feedbackPeers(ModelDeployment md) {
    return feedbackPeersService(md) + "." + md.getMetadata().getNamespace() + ".svc:" + HTTP_PORT;
  }

  /** The Gateway API HTTPRoute that replaces the router where a Gateway is named. */
  public static String httpRoute(ModelDeployment md) {
    return md.getMetadata().getName();
  }

  /** The Gateway API GRPCRoute beside the HTTPRoute (same name; another kind). */
  public static String grpcRoute(ModelDeployment md) {
    return md.getMetadata().getName();
  }

  /** In-cluster URL of one version's Service: a backend of the router. */
  public static String versionUrl(ModelDeployment md, String version) {
    return "http://"
        + versionResource(md, version)
        + "."
        + md.getMetadata().getNamespace()
        + ".svc:"
        + HTTP_PORT;
  }

  public static String url(ModelDeployment md) {
    return "http://"
        + stableService(md)
        + "."
        + md.getMetadata().getNamespace()
        + ".svc:"
        + HTTP_PORT;
  }

  /** Labels every child carries. */
  public static Map<String, String> labels(ModelDeployment md, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_NAME, APP_NAME);
    labels.put(LABEL_INSTANCE, md.getMetadata().getName());
    labels.put(LABEL_COMPONENT, component);
    labels.put(LABEL_PART_OF, "skiff");
    labels.put(LABEL_MANAGED_BY, MANAGED_BY);
    labels.put(LABEL_MODEL, modelName(md));
    return labels;
  }

  /** Labels of one version's objects and pods. */
  public static Map<String, String> versionLabels(ModelDeployment md, String version) {
    Map<String, String> labels = labels(md, COMPONENT_SERVER);
    labels.put(LABEL_VERSION, version);
    return labels;
  }

  /**
   * Pod selector of one version. Deliberately minimal: a Deployment's selector is immutable, so it
   * holds only what never changes for a version.
   */
  public static Map<String, String> versionSelector(ModelDeployment md, String version) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(LABEL_INSTANCE, md.getMetadata().getName());
    selector.put(LABEL_COMPONENT, COMPONENT_SERVER);
    selector.put(LABEL_VERSION, version);
    return selector;
  }

  /** Every model-server pod of {@code md}, of every version. */
  public static Map<String, String> serverSelector(ModelDeployment md) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(LABEL_INSTANCE, md.getMetadata().getName());
    selector.put(LABEL_COMPONENT, COMPONENT_SERVER);
    return selector;
  }

  /** Pods of the router (immutable Deployment selector, like a version's). */
  public static Map<String, String> routerSelector(ModelDeployment md) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(LABEL_INSTANCE, md.getMetadata().getName());
    selector.put(LABEL_COMPONENT, COMPONENT_ROUTER);
    return selector;
  }
}
