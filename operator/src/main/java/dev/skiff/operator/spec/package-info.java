/**
 * What a ModelDeployment's spec means, below the desired state, the traffic plan and the status
 * that all read it: effective per-version values and defaults ({@link
 * dev.skiff.operator.spec.Versions}), the names and labels of every child ({@link
 * dev.skiff.operator.spec.ResourceNames}), and the checks CEL cannot make ({@link
 * dev.skiff.operator.spec.SpecValidator}).
 */
package dev.skiff.operator.spec;
