/** The ModelDeployment reconciler and its workflow of small dependent resources. */
package dev.skiff.operator.reconciler;
