package dev.skiff.runtime.inference;

import dev.skiff.runtime.image.Answer;
import dev.skiff.runtime.model.ServingVersion;
import dev.skiff.runtime.protocol.InferenceResponse;
import java.util.Optional;

/**
 * What one inference produced: the version that answered, the raw outputs, and the postprocessed
 * answer (labels or boxes) when the model has {@code postprocess}, computed once for the endpoint
 * and for the prediction kept for feedback.
 */
public record InferenceResult(
    ServingVersion version, InferenceResponse response, Optional<Answer> answer) {}
