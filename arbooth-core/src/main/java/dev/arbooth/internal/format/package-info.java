/**
 * Checkpoint formats: memory-mapped safetensors reading and atomic writing, PyTorch {@code .pth} reading
 * through a whitelisting pickle interpreter, and strict weight binding.
 */
package dev.arbooth.internal.format;
