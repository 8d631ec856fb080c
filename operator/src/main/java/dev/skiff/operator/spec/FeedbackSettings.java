package dev.skiff.operator.spec;

import dev.skiff.api.v1alpha1.Feedback;
import dev.skiff.api.v1alpha1.ModelDeployment;

/** Effective {@code spec.feedback} values, defaults applied. */
public final class FeedbackSettings {

  private FeedbackSettings() {}

  private static Feedback of(ModelDeployment md) {
    return md.getSpec() == null || md.getSpec().getFeedback() == null
        ? new Feedback()
        : md.getSpec().getFeedback();
  }

  /** Whether pods answer feedback for each other and log it (default true). */
  public static boolean enabled(ModelDeployment md) {
    return !Boolean.FALSE.equals(of(md).getEnabled());
  }

  /** Predictions each pod remembers for feedback. */
  public static int window(ModelDeployment md) {
    Integer window = of(md).getWindow();
    return window == null ? Feedback.DEFAULT_WINDOW : window;
  }

  /** The user's volume for the feedback logs; null for the default emptyDir. */
  public static Feedback.FeedbackVolume volume(ModelDeployment md) {
    return of(md).getVolume();
  }
}
