/** Tensors, their datatypes and declared shapes. */
package dev.skiff.runtime.tensor;
