package dev.skiff.operator.desired;

/**
 * Operator-wide settings that desired state depends on but the ModelDeployment may leave out.
 *
 * @param image runtime image used when spec.runtime.image is not set
 */
public record RuntimeDefaults(String image) {}
