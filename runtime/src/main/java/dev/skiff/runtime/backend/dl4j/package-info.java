/**
 * The Deeplearning4j backend: ModelSerializer zips (MultiLayerNetwork, ComputationGraph) and Keras
 * HDF5 models imported with DL4J's Keras import, run by nd4j (CPU, or CUDA with the GPU build).
 */
package dev.skiff.runtime.backend.dl4j;
