/** Wire formats (V2 JSON, KServe V1 JSON) and the protocol's request, response and error types. */
package dev.skiff.runtime.protocol;
