/**
 * Model formats behind one interface, found with ServiceLoader: a backend gets the model file, the
 * server's options and model.yaml's declared tensors at load, and returns a {@link
 * dev.skiff.runtime.backend.ModelSession}.
 */
package dev.skiff.runtime.backend;
