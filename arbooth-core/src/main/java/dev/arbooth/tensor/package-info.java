/**
 * Engine-free host tensors: a {@link dev.arbooth.tensor.Tensor} is an immutable dtype ({@link
 * dev.arbooth.tensor.DType}), shape and little-endian bytes, the currency of the public API (loaded photos,
 * generated images, adapter tensors). Make one with {@link dev.arbooth.tensor.Tensor#ofFloats(float[], long...)};
 * read it with {@link dev.arbooth.tensor.Tensor#toFloatArray()}.
 */
package dev.arbooth.tensor;
