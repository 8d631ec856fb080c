/** The ONNX Runtime backend (CPU, or CUDA with the GPU build). */
package dev.skiff.runtime.backend.onnx;
