package dev.skiff.api.v1alpha1;

/** Tensor datatypes of the Open Inference Protocol. */
public enum Datatype {
  BOOL,
  UINT8,
  UINT16,
  UINT32,
  UINT64,
  INT8,
  INT16,
  INT32,
  INT64,
  FP16,
  FP32,
  FP64,
  BYTES
}
