package dev.skiff.runtime.model;

import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Holds a model file to the contract its model.yaml declares, at load time, so a mismatch stops the
 * model with a message naming both sides instead of failing on the first request.
 */
final class SchemaCheck {
  private SchemaCheck() {}

  /**
   * Returns the contract requests are checked against: the declared tensors when there are any
   * (after checking them against the file), else the file's own.
   *
   * @param kind "input" or "output"
   */
  static List<TensorSpec> effective(
      String where, String kind, List<TensorSpec> declared, List<TensorSpec> actual) {
    if (declared.isEmpty()) {
      return actual;
    }
    Map<String, TensorSpec> byName =
        actual.stream().collect(Collectors.toMap(TensorSpec::name, Function.identity()));
    List<String> problems = new ArrayList<>();
    for (TensorSpec want : declared) {
      TensorSpec have = byName.get(want.name());
      if (have == null) {
        problems.add(
            kind + " '" + want.name() + "' is declared but the model file has " + names(actual));
      } else if (have.datatype() != want.datatype() || !compatible(want.shape(), have.shape())) {
        problems.add(
            kind
                + " '"
                + want.name()
                + "' is declared "
                + want.datatype()
                + " "
                + want.shapeText()
                + " but the model file has "
                + have.datatype()
                + " "
                + have.shapeText());
      }
    }
    if (kind.equals("input")) {
      for (TensorSpec have : actual) {
        if (declared.stream().noneMatch(d -> d.name().equals(have.name()))) {
          problems.add("the model file's input '" + have.name() + "' is not declared");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ModelLoadException(where + ": " + String.join("; ", problems));
    }
    return declared;
  }

  /**
   * A declared shape fits the file's when the ranks agree and every dimension the file fixes is
   * declared with the same size; the declaration may fix a dimension the file leaves open.
   */
  static boolean compatible(long[] declared, long[] actual) {
    if (declared.length != actual.length) {
      return false;
    }
    for (int i = 0; i < declared.length; i++) {
      if (actual[i] >= 0 && declared[i] != actual[i]) {
        return false;
      }
    }
    return true;
  }

  private static List<String> names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).toList();
  }
}
