/**
 * The ONNX Runtime side of ARBooth: where sessions run ({@link dev.arbooth.runtime.Device}) and, in this
 * milestone, the generator that samples images from a base model and an adapter. ONNX Runtime types never
 * appear in this package's signatures.
 */
package dev.arbooth.runtime;
