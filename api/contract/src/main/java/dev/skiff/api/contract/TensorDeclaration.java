package dev.skiff.api.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One tensor as model.yaml declares it (Open Inference Protocol tensor metadata).
 *
 * @param name the tensor's name as the model file has it
 * @param datatype its element type
 * @param shape its dimensions; {@code -1} marks a dimension of any size (usually the batch)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TensorDeclaration(String name, Datatype datatype, List<Long> shape) {}
