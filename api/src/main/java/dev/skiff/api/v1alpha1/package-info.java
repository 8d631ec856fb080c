/** The {@code skiff.dev/v1alpha1} ModelDeployment API: spec, status and nested types. */
package dev.skiff.api.v1alpha1;
