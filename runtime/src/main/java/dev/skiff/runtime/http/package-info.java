/** HTTP endpoints: Open Inference Protocol V2, KServe V1, health, metrics, OpenAPI, docs, auth. */
package dev.skiff.runtime.http;
