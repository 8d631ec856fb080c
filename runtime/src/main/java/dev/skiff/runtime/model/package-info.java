/**
 * The model repository: model.yaml read through the contract and checked into {@link
 * dev.skiff.runtime.model.ModelSettings} (with its {@link dev.skiff.runtime.model.BatchingSettings}
 * and {@link dev.skiff.runtime.model.ImageSettings}), the versions' life cycle, and loading each
 * version once into the {@link dev.skiff.runtime.model.ServingVersion} requests use.
 */
package dev.skiff.runtime.model;
