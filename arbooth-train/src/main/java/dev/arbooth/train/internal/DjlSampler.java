package dev.arbooth.train.internal;

import dev.arbooth.base.BaseModel;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.CheckpointFile;
import dev.arbooth.internal.format.Checkpoints;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.NextScaleResult;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.text.TextFeatures;
import dev.arbooth.text.internal.IdentifierRows;
import dev.arbooth.text.internal.T5Tokenizer;
import dev.arbooth.text.internal.TokenBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples prompts on DJL with trained weights (the base with the trained tensors over it and the identifier rows in
 * place), the pipeline of the ONNX Runtime {@code Generator} stage by stage: tokens (longest padding), T5 compact
 * features, the identifier's rows replaced in place, one row per image ({@code TextFeatures.imageRows}), the one
 * sampling loop with the generator's seeds (image j of prompt i draws from stream {@code i·imagesPerPrompt + j}),
 * the VAE decoder. Used for a fit's validation grids; the same seed gives the generator's bits.
 */
public final class DjlSampler {
    /**
     * Sampled images.
     *
     * @param images_N3HW the images, prompt-major
     * @param result the loop's bits per scale and code sum
     */
    public record Samples(Tensor images_N3HW, NextScaleResult result) {}

    private DjlSampler() {}

    /**
     * Samples prompts with trained tensors over a base.
     *
     * @param nets the base's networks (tokenizer, T5, VAE)
     * @param trained replacement tensors by official name (a fit's adapter tensors), without the identifier rows
     * @param identifierRows_PC the identifier embedding {@code (P, Ct5)}, or null for none
     * @param identifierIds the identifier's token ids (P of them), or null for none
     * @param prompts the prompts
     * @param options the sampling options
     * @return the samples
     */
    public static Samples sample(
            FitNetworks nets,
            Map<String, Tensor> trained,
            Tensor identifierRows_PC,
            long[] identifierIds,
            List<String> prompts,
            SamplingOptions options) {
        BaseModel base = nets.base();
        ScaleSchedule schedule = base.schedule();
        options.requireScales(schedule.size());
        T5Tokenizer tokenizer = nets.tokenizer();
        // 1. tokens; 2. compact T5 features; 3. the identifier rows in place
        TokenBatch tokens = tokenizer.encode(prompts, T5Tokenizer.Padding.LONGEST);
        TextFeatures features = nets.t5().compactFeatures(tokens);
        if (identifierRows_PC != null) {
            features = IdentifierRows.replace(tokens, features, identifierIds, identifierRows_PC, false);
        }
        // 4. one row per image
        int m = options.imagesPerPrompt();
        int rows = prompts.size() * m;
        TextFeatures pass = features.imageRows(m, 0, rows);
        int d = base.infinity().bitsPerToken();
        // 5. the transformer on the trained weights under the sampling loop; 6. the VAE decoder
        NextScaleResult result;
        try (DjlInfinity model = trainedModel(base, trained);
                DjlInfinity.Stepper stepper = model.stepper(
                        pass.kvCompact().toFloatArray(), pass.lengths(), schedule, options.guides(schedule.size()))) {
            result = NextScaleLoop.create(schedule, rows, d, BitSamplerOptions.of(options), 0)
                    .run(stepper);
        }
        float[] images = result.decode(nets.vae());
        int[] size = base.imageSize();
        return new Samples(Tensor.ofFloats(images, rows, 3, size[0], size[1]), result);
    }

    /**
     * The base's transformer with trained tensors over it, on DJL.
     *
     * @param base the base
     * @param trained replacement tensors by official name
     * @return the model (close it)
     */
    public static DjlInfinity trainedModel(BaseModel base, Map<String, Tensor> trained) {
        try (CheckpointFile file = Checkpoints.open(base.transformerWeights())) {
            Map<String, Tensor> all = new LinkedHashMap<>(file.toMap());
            for (Map.Entry<String, Tensor> e : trained.entrySet()) {
                if (!all.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("trained tensor '" + e.getKey() + "' is not a base tensor");
                }
                all.put(e.getKey(), e.getValue());
            }
            return DjlInfinity.create(base.infinity(), StateDict.of(all));
        }
    }
}
