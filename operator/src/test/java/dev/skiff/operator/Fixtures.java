package dev.skiff.operator;

import dev.skiff.api.v1alpha1.ModelDeployment;
import dev.skiff.api.v1alpha1.ModelVersion;
import dev.skiff.operator.desired.DesiredState;
import dev.skiff.operator.desired.RuntimeDefaults;
import dev.skiff.operator.spec.Versions;
import dev.skiff.operator.traffic.TrafficPlan;
import dev.skiff.operator.traffic.TrafficPlanner;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ModelDeployments for unit tests: the repository's examples, the fixture files in {@code
 * src/test/resources/modeldeployments} (which the runtime's tests also render and read), or YAML
 * text for specs that only one test needs.
 */
public final class Fixtures {

  public static final RuntimeDefaults DEFAULTS =
      new RuntimeDefaults("ghcr.io/skiff-dev/skiff-runtime:test");

  private Fixtures() {}

  public static ModelDeployment md(String yaml) {
    ModelDeployment md = Serialization.unmarshal(yaml, ModelDeployment.class);
    return placed(md);
  }

  /** A fixture file from {@code src/test/resources/modeldeployments}. */
  public static ModelDeployment file(String name) {
    return fromFile(Path.of("src", "test", "resources", "modeldeployments", name));
  }

  /** An example from the repository's {@code examples/}. */
  public static ModelDeployment example(String file) {
    return fromFile(Path.of("..", "examples", file));
  }

  private static ModelDeployment fromFile(Path path) {
    try {
      String text = Files.readString(path);
      for (String doc : text.split("(?m)^---\\s*$", -1)) {
        if (doc.contains("kind: ModelDeployment")) {
          return md(doc);
        }
      }
      throw new IllegalArgumentException("no ModelDeployment in " + path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The plan when every spec version has a ready replica and the router is ready. */
  public static TrafficPlan allReady(ModelDeployment md) {
    Map<String, Integer> ready = new LinkedHashMap<>();
    for (ModelVersion v : Versions.of(md)) {
      ready.put(v.getName(), 1);
    }
    return TrafficPlanner.plan(
        md, new TrafficPlanner.Observed(ready, true, false), Instant.parse("2026-11-25T10:00:00Z"));
  }

  /** Desired state with every version ready and nothing draining. */
  public static DesiredState desired(ModelDeployment md) {
    return DesiredState.of(md, DEFAULTS, allReady(md), Map.of(), false);
  }

  private static ModelDeployment placed(ModelDeployment md) {
    md.getMetadata().setNamespace("ns1");
    md.getMetadata().setUid("uid-1234");
    md.getMetadata().setGeneration(3L);
    return md;
  }
}
