package dev.skiff.runtime.image;

/**
 * One class and the model's score for it.
 *
 * @param index the class index in the model's output
 * @param label the class name from model.yaml's label list, else the index as text
 * @param score the model's probability for it
 */
public record ScoredLabel(int index, String label, double score) {}
