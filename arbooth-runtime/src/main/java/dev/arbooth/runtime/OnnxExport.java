package dev.arbooth.runtime;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.base.BaseModel;
import dev.arbooth.runtime.internal.OnnxExportWriter;
import dev.arbooth.sampling.SamplingOptions;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a base model with an adapter fused in as a self-contained directory of ONNX models and a JSON
 * description of the sampling loop, so that ONNX Runtime in another language (or a server) can generate with
 * it without this library.
 *
 * <pre>{@code
 * Path dir = OnnxExport.write(BaseModel.load(baseDir), Adapter.load(adapterFile), Path.of("dog-onnx"));
 * }</pre>
 *
 * <p><b>The directory</b> ({@value #DESCRIPTION_FILE} lists every file with its inputs and outputs):
 * <ul>
 *   <li>{@code t5_encoder_lenNNN.onnx}: the T5 encoder for one prompt of {@code n} tokens ({@code input_ids}
 *       int64 and {@code attention_mask} float32, both (1, n), to {@code last_hidden_state} (1, n, Ct5)), one per
 *       n up to {@link Options#maxPromptTokens()};
 *   <li>{@code infinity_prologue_lenNNN.onnx}: the transformer's text prologue for B images of one prompt of n
 *       tokens (text features (B·n, Ct5) to the conditioning, the unconditional rows of guidance built inside);
 *   <li>{@code infinity_step_KK.onnx}: one KV-cached step graph per scale (raw bitwise logits, the extended
 *       cache);
 *   <li>{@code vae_decoder.onnx}: the VAE decoder of the summed codes;
 *   <li>{@code infinity.weights}, {@code t5.weights}, {@code vae.weights}: the weights as ONNX external data
 *       (raw little-endian float32, 4096-byte aligned), the adapter's tensors fused into the transformer's;
 *   <li>{@code tokenizer.json} (the base's) and {@code identifier_rows.f32}, the adapter's identifier rows;
 *   <li>{@value #DESCRIPTION_FILE}: the schedule, each graph's file, input and output names and shapes, the
 *       sampling defaults (cfg, τ, top-k, top-p, seed) and the loop in numbered steps (guidance, bit sampling and
 *       its random streams, the code sum and next-scale input, the VAE convention).
 * </ul>
 *
 * <p>The graphs are the ones {@link Generator} runs, so sampling the exported files reproduces {@code
 * Generator.with(adapter, base)} bit for bit (same prompt, options and seed, one prompt per pass of {@link
 * Options#imagesPerPass()} images). All shapes are static except the text tokens of the step graphs; the step
 * graphs use ONNX Runtime's contrib operators ({@code com.microsoft}: fused attention, rotary embedding, skip
 * layer norm, fast GELU), the T5, prologue and VAE graphs only the standard domain.
 *
 * <p><b>Atomic.</b> The export is written beside the target under a temporary name and renamed into place: the
 * target is never a partial export. An existing target must be an empty directory or an earlier export
 * (replaced as a whole).
 */
public final class OnnxExport {
    /** The description file of an export. */
    public static final String DESCRIPTION_FILE = OnnxExportWriter.DESCRIPTION;

    /** The version of the export's layout and description ({@code format_version} in the description). */
    public static final int FORMAT_VERSION = OnnxExportWriter.FORMAT_VERSION;

    private OnnxExport() {}

    /**
     * Exports with {@link Options#defaults()}.
     *
     * @param base the base model
     * @param adapter the adapter to fuse in, or {@code null} for the base alone
     * @param dir the directory to write
     * @return {@code dir}
     * @throws dev.arbooth.adapter.IncompatibleAdapterException if the adapter belongs to another base
     * @throws dev.arbooth.ArboothException if the base cannot be exported (its text encoder is an ONNX file),
     *     {@code dir} exists and is neither empty nor an earlier export, or writing fails (nothing is left then)
     */
    public static Path write(BaseModel base, Adapter adapter, Path dir) {
        return write(base, adapter, dir, Options.defaults());
    }

    /**
     * Exports.
     *
     * @param base the base model
     * @param adapter the adapter to fuse in, or {@code null} for the base alone
     * @param dir the directory to write
     * @param options images per pass, longest prompt, sampling defaults
     * @return {@code dir}
     * @throws dev.arbooth.adapter.IncompatibleAdapterException if the adapter belongs to another base
     * @throws dev.arbooth.ArboothException if the base cannot be exported, {@code maxPromptTokens} exceeds what the
     *     base takes, {@code dir} exists and is neither empty nor an earlier export, or writing fails
     */
    public static Path write(BaseModel base, Adapter adapter, Path dir, Options options) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(options, "options");
        int baseMax =
                Math.min(base.infinity().textMaxLength(), base.textEncoder().textMaxLength());
        int maxTokens = options.maxPromptTokens() == 0
                ? Math.min(Options.DEFAULT_MAX_PROMPT_TOKENS, baseMax)
                : options.maxPromptTokens();
        return OnnxExportWriter.write(
                base,
                adapter,
                dir,
                new OnnxExportWriter.Settings(options.imagesPerPass(), maxTokens, options.sampling()));
    }

    /**
     * What an export is written for.
     *
     * @param imagesPerPass B, the images of one prompt each pass of the graphs samples, at least 1
     * @param maxPromptTokens the longest prompt in tokens ({@code </s>} included) the text graphs are written
     *     for; 0 for the default, the smaller of {@value #DEFAULT_MAX_PROMPT_TOKENS} and what the base takes
     * @param sampling the defaults recorded in the description; their guidance decides the graphs' rows (2B with
     *     guidance, B without)
     */
    public record Options(int imagesPerPass, int maxPromptTokens, SamplingOptions sampling) {
        /** The default longest prompt, in tokens. */
        public static final int DEFAULT_MAX_PROMPT_TOKENS = 32;

        /**
         * Validates.
         *
         * @param imagesPerPass at least 1
         * @param maxPromptTokens at least 0
         * @param sampling not null
         * @throws IllegalArgumentException naming the broken rule
         */
        public Options {
            if (imagesPerPass < 1) {
                throw new IllegalArgumentException("imagesPerPass must be at least 1, got " + imagesPerPass);
            }
            if (maxPromptTokens < 0) {
                throw new IllegalArgumentException(
                        "maxPromptTokens must be at least 1 (or 0 for the default), got " + maxPromptTokens);
            }
            Objects.requireNonNull(sampling, "sampling");
        }

        /**
         * One image per pass, the default prompt length, {@link SamplingOptions#defaults()} (ARBooth's: cfg 4,
         * τ 0.5, top-k 900, top-p 0.97).
         *
         * @return the defaults
         */
        public static Options defaults() {
            return new Options(1, 0, SamplingOptions.defaults());
        }

        /**
         * These options with another batch.
         *
         * @param n images per pass
         * @return new options
         */
        public Options withImagesPerPass(int n) {
            return new Options(n, maxPromptTokens, sampling);
        }

        /**
         * These options with another longest prompt.
         *
         * @param n tokens, or 0 for the default
         * @return new options
         */
        public Options withMaxPromptTokens(int n) {
            return new Options(imagesPerPass, n, sampling);
        }

        /**
         * These options with other sampling defaults.
         *
         * @param s the defaults
         * @return new options
         */
        public Options withSampling(SamplingOptions s) {
            return new Options(imagesPerPass, maxPromptTokens, s);
        }
    }
}
