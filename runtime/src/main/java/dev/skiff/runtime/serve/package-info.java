/**
 * The runtime in {@code serve} mode: {@link dev.skiff.runtime.serve.ModelServer} assembles the
 * model repository, the inference service and the HTTP endpoints (Open Inference Protocol V2,
 * KServe V1, image upload, feedback, health, metrics, OpenAPI, docs, bearer-token auth, request
 * accounting).
 */
package dev.skiff.runtime.serve;
