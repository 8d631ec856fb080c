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

/** ModelDeployments for unit tests, from YAML text or the repository's examples. */
public final class Fixtures {

  public static final RuntimeDefaults DEFAULTS =
      new RuntimeDefaults("ghcr.io/skiff-dev/skiff-runtime:test");

  private Fixtures() {}

  public static ModelDeployment md(String yaml) {
    ModelDeployment md = Serialization.unmarshal(yaml, ModelDeployment.class);
    return placed(md);
  }

  public static ModelDeployment example(String file) {
    try {
      String text = Files.readString(Path.of("..", "examples", file));
      for (String doc : text.split("(?m)^---\\s*$")) {
        if (doc.contains("kind: ModelDeployment")) {
          return md(doc);
        }
      }
      throw new IllegalArgumentException("no ModelDeployment in " + file);
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
    return DesiredState.of(md, DEFAULTS, allReady(md), Map.of());
  }

  private static ModelDeployment placed(ModelDeployment md) {
    md.getMetadata().setNamespace("ns1");
    md.getMetadata().setUid("uid-1234");
    md.getMetadata().setGeneration(3L);
    return md;
  }
}
