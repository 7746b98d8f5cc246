package dev.arbooth.pretrain;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import java.util.List;
import java.util.Objects;

/**
 * What the pretraining command trains and for how long: the three architectures, the scale schedule, the budgets
 * of each phase and the seed. Presets are chosen by measured throughput ({@code docs/toy-model.md}).
 *
 * @param name the preset's name
 * @param imageSide the side of the square renders (64)
 * @param vae the VAE architecture (latent grid {@code imageSide / patch})
 * @param vaeBatch images per VAE step
 * @param vaeSteps VAE steps
 * @param vaeLearningRate AdamW's learning rate for the VAE
 * @param schedule the scales, ending at the latent grid
 * @param t5 the frozen text encoder
 * @param infinity the transformer
 * @param cacheImages training renders encoded once to bits
 * @param transformerBatch samples per transformer step
 * @param transformerSteps transformer steps
 * @param transformerLearningRate AdamW's learning rate for the transformer
 * @param selfCorrection the bitwise self-correction flip probability
 * @param conditionDropout the probability that a caption is replaced by the unconditional rows
 * @param seed the seed of everything random
 */
public record ToyBasePlan(
        String name,
        int imageSide,
        VaeConfig vae,
        int vaeBatch,
        int vaeSteps,
        double vaeLearningRate,
        ScaleSchedule schedule,
        T5Config t5,
        InfinityConfig infinity,
        int cacheImages,
        int transformerBatch,
        int transformerSteps,
        double transformerLearningRate,
        double selfCorrection,
        double conditionDropout,
        long seed) {

    /** The default seed. */
    public static final long SEED = 20261202L;

    /** The 8×8 latent schedule (121 tokens). */
    static final ScaleSchedule SCHEDULE_8 =
            ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {4, 4}, new int[] {6, 6}, new int[] {8, 8});

    /**
     * Validates.
     *
     * @param name non-blank
     * @param imageSide a multiple of the VAE's patch size
     * @param vae not null
     * @param vaeBatch at least 1
     * @param vaeSteps at least 1
     * @param vaeLearningRate positive
     * @param schedule ending at the latent grid
     * @param t5 producing the transformer's text width
     * @param infinity predicting the VAE's bits
     * @param cacheImages at least the transformer batch
     * @param transformerBatch at least 1
     * @param transformerSteps at least 1
     * @param transformerLearningRate positive
     * @param selfCorrection in [0, 1)
     * @param conditionDropout in [0, 1)
     * @param seed any
     */
    public ToyBasePlan {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vae, "vae");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(t5, "t5");
        Objects.requireNonNull(infinity, "infinity");
        int latent = vae.latentSize(imageSide);
        if (schedule.last().h() != latent || schedule.last().w() != latent) {
            throw new IllegalArgumentException(
                    "schedule " + schedule + " does not end at the " + latent + "x" + latent + " latent grid");
        }
        if (infinity.codebookDim() != vae.codebookDim() || infinity.textChannels() != t5.dModel()) {
            throw new IllegalArgumentException("transformer " + infinity + " does not fit VAE d " + vae.codebookDim()
                    + " or text width " + t5.dModel());
        }
        infinity.requireCompatible(schedule);
        if (vaeBatch < 1
                || vaeSteps < 1
                || transformerBatch < 1
                || transformerSteps < 1
                || cacheImages < transformerBatch) {
            throw new IllegalArgumentException("batches and steps must be >= 1 and the cache at least one batch");
        }
        if (!(vaeLearningRate > 0) || !(transformerLearningRate > 0)) {
            throw new IllegalArgumentException("learning rates must be positive");
        }
        if (!(selfCorrection >= 0 && selfCorrection < 1) || !(conditionDropout >= 0 && conditionDropout < 1)) {
            throw new IllegalArgumentException("self-correction and condition dropout must lie in [0, 1)");
        }
    }

    /** The frozen text encoder: 1 layer, d_model 128 (as the tiny random base), 24 tokens. */
    static T5Config toyT5() {
        return new T5Config(128, 32, 256, 4, 1, ToyText.vocabSize(), 32, 128, 1e-6, 24);
    }

    /** A transformer of width {@code c}, {@code depth} blocks, {@code heads} heads, d bits, text width 128. */
    static InfinityConfig transformer(int c, int depth, int heads, int d) {
        return InfinityConfig.goldenSet1().toBuilder()
                .embedDim(c)
                .depth(depth)
                .numHeads(heads)
                .mlpRatio(4)
                .textChannels(128)
                .textMaxLength(24)
                .codebookDim(d)
                .blockChunks(1)
                .build();
    }

    /**
     * The VAE of the plan: base 32, multipliers (1, 1, 2, 2), one ResnetBlock per level, stride 8 (8×8 latent).
     *
     * @param d bits per token
     * @return the architecture
     */
    static VaeConfig vae(int d) {
        return new VaeConfig(32, List.of(1, 1, 2, 2), 1, d, 8, 1e-6);
    }

    /**
     * The 2-hour preset, the bundled base's (its run and gate figures: {@code docs/toy-model.md}); sized by the throughput
     * measured on this 2-core machine (VAE about 3.0 steps/s, transformer 1.5–1.85 steps/s with the allocator settings of
     * {@code scripts/malloc-env.sh}: about 23 + 72–89 minutes).
     * Earlier runs: 3 200 VAE steps (21.4 dB) and 1 800, 4 000, then 5 000 transformer steps (class fidelity 45 %, 65 %,
     * 77 %).
     *
     * @return the plan
     */
    public static ToyBasePlan twoHours() {
        return new ToyBasePlan(
                "two-hours",
                64,
                vae(32),
                16,
                4000,
                1e-3,
                SCHEDULE_8,
                toyT5(),
                transformer(192, 4, 3, 32),
                16384,
                32,
                8000,
                8e-4,
                0.1,
                0.1,
                SEED);
    }

    /**
     * A few-step plan for tests and smoke runs (same architectures as {@link #twoHours()} but tiny budgets).
     *
     * @return the plan
     */
    public static ToyBasePlan smoke() {
        return new ToyBasePlan(
                "smoke",
                64,
                vae(16),
                2,
                3,
                1e-3,
                SCHEDULE_8,
                toyT5(),
                transformer(64, 2, 1, 16),
                8,
                4,
                3,
                8e-4,
                0.1,
                0.1,
                SEED);
    }

    /**
     * This plan with other budgets.
     *
     * @param vaeSteps VAE steps
     * @param cacheImages cached renders
     * @param transformerSteps transformer steps
     * @return the plan
     */
    public ToyBasePlan withBudgets(int vaeSteps, int cacheImages, int transformerSteps) {
        return with(vaeSteps, cacheImages, transformerSteps, seed);
    }

    /**
     * This plan with another seed.
     *
     * @param s the seed
     * @return the plan
     */
    public ToyBasePlan withSeed(long s) {
        return with(vaeSteps, cacheImages, transformerSteps, s);
    }

    /**
     * This plan with another number of bits per token: the VAE's quantizer and the transformer's bit predictions.
     *
     * @param d bits per token
     * @return the plan
     */
    public ToyBasePlan withBits(int d) {
        VaeConfig v = new VaeConfig(
                vae.baseChannels(), vae.channelMultipliers(), vae.numResBlocks(), d, vae.patchSize(), vae.normEps());
        return with(
                v,
                schedule,
                infinity.toBuilder().codebookDim(d).build(),
                vaeSteps,
                cacheImages,
                transformerSteps,
                seed);
    }

    /**
     * This plan with another scale schedule (the VAE's quantizer scales and the transformer's token grids; it must
     * end at the latent grid).
     *
     * @param sides the side of each square scale, e.g. {@code 1, 2, 3, 4, 5, 6, 8}
     * @return the plan
     * @throws IllegalArgumentException if the schedule does not end at the latent grid or does not fit the
     *     transformer
     */
    public ToyBasePlan withSchedule(int... sides) {
        int[][] hw = new int[sides.length][];
        for (int i = 0; i < sides.length; i++) {
            hw[i] = new int[] {sides[i], sides[i]};
        }
        return with(vae, ScaleSchedule.of(hw), infinity, vaeSteps, cacheImages, transformerSteps, seed);
    }

    private ToyBasePlan with(int vaeSteps, int cacheImages, int transformerSteps, long seed) {
        return with(vae, schedule, infinity, vaeSteps, cacheImages, transformerSteps, seed);
    }

    private ToyBasePlan with(
            VaeConfig vae,
            ScaleSchedule schedule,
            InfinityConfig infinity,
            int vaeSteps,
            int cacheImages,
            int transformerSteps,
            long seed) {
        return new ToyBasePlan(
                name,
                imageSide,
                vae,
                vaeBatch,
                vaeSteps,
                vaeLearningRate,
                schedule,
                t5,
                infinity,
                cacheImages,
                transformerBatch,
                transformerSteps,
                transformerLearningRate,
                selfCorrection,
                conditionDropout,
                seed);
    }
}
