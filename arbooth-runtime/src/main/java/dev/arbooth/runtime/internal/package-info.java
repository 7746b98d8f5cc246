/**
 * Implementation of the runtime, not exported: applying a {@link dev.arbooth.runtime.Device} to ONNX
 * Runtime session options, and (in sub-packages) ONNX graph emission.
 */
package dev.arbooth.runtime.internal;
