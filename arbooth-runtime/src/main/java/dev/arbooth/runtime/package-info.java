/**
 * Generating images on ONNX Runtime. Start with {@link dev.arbooth.runtime.Generator}: {@code
 * Generator.base(base)} or {@code Generator.with(adapter, base)}, then {@code sample(prompt, options)} gives
 * {@link dev.arbooth.runtime.GeneratedImage}s (tensor, seed, PNG writer). {@link dev.arbooth.runtime.Device}
 * chooses where the sessions run ({@code Device.auto()}: CUDA when usable, otherwise the CPU, with the reason
 * logged). {@link dev.arbooth.runtime.OnnxExport} writes a base with an adapter fused in as a directory of ONNX
 * models and a JSON description of the sampling loop, for ONNX Runtime elsewhere. ONNX Runtime types never
 * appear in this package's signatures.
 *
 * <pre>{@code
 * try (Generator g = Generator.with(Adapter.load(adapterFile), BaseModel.load(baseDir))) {
 *     for (GeneratedImage image : g.sample("a sks dog in the snow", SamplingOptions.defaults().withImagesPerPrompt(4))) {
 *         image.writePng(out.resolve("snow-" + image.index() + ".png"));
 *     }
 * }
 * }</pre>
 */
package dev.arbooth.runtime;
