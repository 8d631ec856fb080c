package dev.skiff.operator.spec;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelVersion;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks the API server's schema and CEL rules cannot express (they cannot see metadata.name from
 * spec rules, and map-key checks on resource limits would exceed CEL cost budgets). A problem is a
 * user mistake, not an exception: it becomes a Warning Event and Ready=False.
 */
public final class SpecValidator {

  private static final Pattern DNS_1035 = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
  private static final int MAX_NAME = 63;

  private SpecValidator() {}

  /** The problems found, joined into one message, or empty when the spec can be reconciled. */
  public static Optional<String> validate(ModelDeployment md) {
    List<String> problems = new ArrayList<>();
    String name = md.getMetadata().getName();
    if (!DNS_1035.matcher(name).matches() || name.length() > MAX_NAME) {
      problems.add(
          "metadata.name '"
              + name
              + "' must be a DNS-1035 label (it names the stable Service): lowercase letters,"
              + " digits and '-', starting with a letter, at most 63 characters");
    }
    boolean mayRoute =
        Versions.of(md).size() > 1
            || (md.getSpec() != null
                && md.getSpec().getTraffic() != null
                && md.getSpec().getTraffic().getMirror() != null);
    if (mayRoute && ResourceNames.router(md).length() > MAX_NAME) {
      problems.add(
          "'"
              + ResourceNames.router(md)
              + "' (the router, <name>-router) is longer than 63 characters; shorten"
              + " metadata.name");
    }
    for (ModelVersion version : Versions.of(md)) {
      String child = ResourceNames.versionResource(md, version.getName());
      if (child.length() > MAX_NAME) {
        problems.add(
            "'"
                + child
                + "' (<name>-<version>) is longer than 63 characters; shorten metadata.name or"
                + " version '"
                + version.getName()
                + "'");
      }
      if (!Versions.isGpu(version) && namesGpu(version.getResources())) {
        problems.add(
            "version '"
                + version.getName()
                + "' requests a GPU resource in resources.limits but its device is cpu; set"
                + " device: gpu");
      }
    }
    if (md.getSpec() != null
        && md.getSpec().getRuntime() != null
        && namesGpu(md.getSpec().getRuntime().getResources())
        && Versions.of(md).stream().anyMatch(v -> !Versions.isGpu(v) && v.getResources() == null)) {
      problems.add(
          "runtime.resources requests a GPU resource but some versions have device cpu; move the"
              + " GPU request to the gpu versions' resources");
    }
    return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
  }

  private static boolean namesGpu(ResourceRequirements resources) {
    return resources != null
        && resources.getLimits() != null
        && resources.getLimits().keySet().stream().anyMatch(GpuResources::isGpu);
  }
}
