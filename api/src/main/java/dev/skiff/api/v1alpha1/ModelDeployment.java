package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One served model: the versions to run, how to scale and route them, and what is in effect now.
 * The operator turns it into per-version Deployments, Services and HPAs plus one stable Service.
 */
@Group(ModelDeployment.GROUP)
@Version(ModelDeployment.VERSION)
@Kind(ModelDeployment.KIND)
@Plural(ModelDeployment.PLURAL)
@Singular("modeldeployment")
@ShortNames("md")
@AdditionalPrinterColumn(
    name = "Model",
    jsonPath = ".status.model",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Versions",
    jsonPath = ".status.versionNames",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Traffic",
    jsonPath = ".status.traffic",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Routing",
    jsonPath = ".status.routing",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Message",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].message",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@JsonClassDescription(
    "A model served over the Open Inference Protocol: one Deployment, Service and autoscaler per version, weighted traffic between versions, and status that says what is serving.")
public class ModelDeployment extends CustomResource<ModelDeploymentSpec, ModelDeploymentStatus>
    implements Namespaced {

  public static final String GROUP = "skiff.dev";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "ModelDeployment";
  public static final String PLURAL = "modeldeployments";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /** Name of the CRD object, and of the generated file {@code crds/<CRD_NAME>-v1.yml}. */
  public static final String CRD_NAME = PLURAL + "." + GROUP;
}
