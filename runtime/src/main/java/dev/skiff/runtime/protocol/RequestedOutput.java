package dev.skiff.runtime.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One entry of a V2 request's {@code outputs}: which output the client wants, and how. */
public record RequestedOutput(String name, ObjectNode parameters) {}
