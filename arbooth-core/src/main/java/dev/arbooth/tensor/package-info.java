/** Engine-free host tensors: {@link dev.arbooth.tensor.Tensor} and {@link dev.arbooth.tensor.DType}. */
package dev.arbooth.tensor;
