package dev.arbooth.config;

import dev.arbooth.internal.weights.VaeWeights;
import java.util.List;
import java.util.Objects;

/**
 * The architecture of a BSQ multi-scale VAE (the official {@code bsq_vae/vae.py::vae_model} →
 * {@code flux_vqgan.AutoEncoder} with a {@code MultiScaleBSQ} quantizer; 2-D convolutions, GroupNorm, no
 * attention), as the official constructor builds it.
 *
 * <p>With {@code ch(i) = baseChannels × channelMultipliers[i]} for the {@link #levels()} levels and
 * {@code n = }{@link #downsamplings()} {@code = log2(patchSize)}:
 *
 * <ul>
 *   <li>encoder: {@code conv_in} 3 → {@code baseChannels}; per level {@code i}: {@link #numResBlocks()}
 *       ResnetBlocks to {@code ch(i)}, then, for {@code i < n}, a Downsample (zero pad right and bottom by 1,
 *       3×3 convolution of stride 2); mid: 2 ResnetBlocks; GroupNorm, swish, {@code conv_out} to
 *       {@link #codebookDim()} channels;
 *   <li>decoder: {@code conv_in} {@code d → ch(last)}; mid: 2 ResnetBlocks; per level from the last to 0:
 *       {@code numResBlocks + 1} ResnetBlocks to {@code ch(i)}, then, for {@code 1 <= i <= n}, a nearest ×2
 *       upsample and a 3×3 convolution; GroupNorm, swish, {@code conv_out} to 3 channels, clamped to
 *       {@code [-1, 1]};
 *   <li>GroupNorm over {@link #groupNormGroups(int)} groups with epsilon {@link #normEps()}.
 * </ul>
 *
 * <p>The latent grid is the image size divided by the {@link #patchSize()}; each latent position holds
 * {@code d} channels, quantized per scale to {@code d} bits. The released models use {@link
 * #infinityVaeD32()} (Infinity-2B) and {@link #infinityVaeD56()} (Infinity-8B); {@link #goldenSet1()} is
 * the tiny VAE of the golden tensors.
 *
 * @param baseChannels width of the first level ({@code base_ch})
 * @param channelMultipliers per-level width multipliers ({@code encoder_ch_mult = decoder_ch_mult})
 * @param numResBlocks ResnetBlocks per encoder level (the decoder has one more per level)
 * @param codebookDim d: latent channels and bits per code ({@code codebook_dim})
 * @param patchSize the spatial stride of the encoder, a power of two ({@code patch_size})
 * @param normEps GroupNorm epsilon (1e-6 in every official model)
 */
public record VaeConfig(
        int baseChannels,
        List<Integer> channelMultipliers,
        int numResBlocks,
        int codebookDim,
        int patchSize,
        double normEps) {

    /** Image channels (RGB). */
    public static final int IMAGE_CHANNELS = 3;

    /** ResnetBlocks in each mid section (encoder and decoder). */
    public static final int MID_BLOCKS = 2;

    /**
     * Validates the configuration.
     *
     * @param baseChannels at least 1
     * @param channelMultipliers at least one level, every multiplier at least 1, no nulls (copied)
     * @param numResBlocks at least 1
     * @param codebookDim d, 1..64
     * @param patchSize a power of two {@code 2^n} with {@code 1 <= n <= levels - 1} (the encoder downsamples
     *     at levels {@code 0..n-1}, the decoder upsamples after levels {@code n..1}; more would not invert)
     * @param normEps positive and finite
     * @throws IllegalArgumentException naming the first violated rule, also when a level's width {@code ch(i)}
     *     or the base width is divisible neither by 32 nor by 24 (the official GroupNorm rule has no group
     *     count for it)
     */
    public VaeConfig {
        Objects.requireNonNull(channelMultipliers, "channelMultipliers");
        channelMultipliers = List.copyOf(channelMultipliers);
        requirePositive("baseChannels", baseChannels);
        requirePositive("numResBlocks", numResBlocks);
        if (codebookDim < 1 || codebookDim > 64) {
            throw new IllegalArgumentException("codebookDim must be in 1..64, got " + codebookDim);
        }
        if (channelMultipliers.isEmpty()) {
            throw new IllegalArgumentException("channelMultipliers needs at least one level");
        }
        for (int i = 0; i < channelMultipliers.size(); i++) {
            int m = channelMultipliers.get(i);
            if (m < 1) {
                throw new IllegalArgumentException(
                        "channelMultipliers[" + i + "] must be at least 1, got " + m + " in " + channelMultipliers);
            }
            int ch = Math.multiplyExact(baseChannels, m);
            if (groupsOrZero(ch) == 0) {
                throw new IllegalArgumentException("Level " + i + " has " + ch + " channels (" + baseChannels + " x "
                        + m + "), divisible neither by 32 nor by 24: the official GroupNorm has no group count for it");
            }
        }
        if (groupsOrZero(baseChannels) == 0) {
            throw new IllegalArgumentException(
                    "baseChannels " + baseChannels + " is divisible neither by 32 nor by 24 (GroupNorm groups)");
        }
        if (patchSize < 2 || Integer.bitCount(patchSize) != 1) {
            throw new IllegalArgumentException("patchSize must be a power of two >= 2, got " + patchSize);
        }
        int n = Integer.numberOfTrailingZeros(patchSize);
        if (n > channelMultipliers.size() - 1) {
            throw new IllegalArgumentException("patchSize " + patchSize + " needs " + n + " downsamplings, but "
                    + channelMultipliers.size() + " levels allow at most " + (channelMultipliers.size() - 1)
                    + " (the decoder upsamples only after levels 1..levels-1); add levels or lower the patch size");
        }
        if (!(normEps > 0) || Double.isInfinite(normEps)) {
            throw new IllegalArgumentException("normEps must be positive and finite, got " + normEps);
        }
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    private static int groupsOrZero(int channels) {
        if (channels % 32 == 0) {
            return 32;
        }
        return channels % 24 == 0 ? 24 : 0;
    }

    // ----------------------------------------------------------------------------------------- presets

    /**
     * The VAE of Infinity-2B as released ({@code infinity_vae_d32reg.pth}): base 128, multipliers
     * (1, 2, 4, 4, 4), 2 ResnetBlocks per level, d = 32, stride 16 (a 1024×1024 image gives a 64×64 latent).
     *
     * <p>Sources (FoundationVision/Infinity): {@code tools/run_infinity.py} {@code load_visual_tokenizer}
     * ({@code codebook_dim = vae_type = 32}; without spatial patchify {@code patch_size = 16},
     * {@code encoder_ch_mult = decoder_ch_mult = [1, 2, 4, 4, 4]}); {@code bsq_vae/vae.py} {@code vae_model}
     * ({@code base_ch = 128}, {@code num_res_blocks = 2}, {@code norm_type = "group"}, {@code cnn_type = "2d"},
     * no attention); {@code flux_vqgan.Normalize} (eps 1e-6).
     *
     * @return the configuration
     */
    public static VaeConfig infinityVaeD32() {
        return new VaeConfig(128, List.of(1, 2, 4, 4, 4), 2, 32, 16, 1e-6);
    }

    /**
     * The VAE of Infinity-8B as released ({@code infinity_vae_d56_f8_14_patchify.pth}): base 128,
     * multipliers (1, 2, 4, 4), 2 ResnetBlocks per level, d = 14, stride 8. Infinity-8B groups 2×2 latent
     * positions into one token ({@code apply_spatial_patchify}), hence 56 = 4 × 14 bits per token; that
     * patchify is on the transformer's side and not implemented yet (no reference tensors cover it), so this VAE
     * has no Infinity preset to form a base with.
     *
     * <p>Sources (FoundationVision/Infinity): {@code tools/run_infinity.py} {@code load_visual_tokenizer}
     * ({@code codebook_dim = vae_type = 14}; with spatial patchify {@code patch_size = 8},
     * {@code encoder_ch_mult = decoder_ch_mult = [1, 2, 4, 4]}), {@code bsq_vae/vae.py} {@code vae_model} as
     * for {@link #infinityVaeD32()}.
     *
     * @return the configuration
     */
    public static VaeConfig infinityVaeD56() {
        return new VaeConfig(128, List.of(1, 2, 4, 4), 2, 14, 8, 1e-6);
    }

    /**
     * The tiny VAE of the golden tensors {@code ../shared/golden/infinity-set1} ({@code config.json}
     * {@code vae_model_call}): base 32, multipliers (1, 1, 2, 2), 2 ResnetBlocks per level, d = 16, stride 8
     * (its 128×128 test image gives a 16×16 latent).
     *
     * @return the configuration
     */
    public static VaeConfig goldenSet1() {
        return new VaeConfig(32, List.of(1, 1, 2, 2), 2, 16, 8, 1e-6);
    }

    // ----------------------------------------------------------------------------------------- derived

    /**
     * The number of levels (resolutions).
     *
     * @return {@code channelMultipliers.size()}
     */
    public int levels() {
        return channelMultipliers.size();
    }

    /**
     * The number of stride-2 downsamplings of the encoder (and ×2 upsamplings of the decoder).
     *
     * @return {@code log2(patchSize)}
     */
    public int downsamplings() {
        return Integer.numberOfTrailingZeros(patchSize);
    }

    /**
     * Whether encoder level {@code i} ends with a Downsample.
     *
     * @param level the level, 0..levels-1
     * @return {@code level < downsamplings()}
     */
    public boolean downsamplesAt(int level) {
        Objects.checkIndex(level, levels());
        return level < downsamplings();
    }

    /**
     * Whether decoder level {@code i} ends with an Upsample.
     *
     * @param level the level, 0..levels-1
     * @return {@code 1 <= level <= downsamplings()}
     */
    public boolean upsamplesAt(int level) {
        Objects.checkIndex(level, levels());
        return level >= 1 && level <= downsamplings();
    }

    /**
     * The width of a level.
     *
     * @param level the level, 0..levels-1
     * @return {@code baseChannels × channelMultipliers[level]}
     */
    public int channels(int level) {
        return baseChannels * channelMultipliers.get(level);
    }

    /**
     * The width of the deepest level: the encoder's mid section and the decoder's {@code conv_in} output.
     *
     * @return {@code channels(levels() - 1)}
     */
    public int deepestChannels() {
        return channels(levels() - 1);
    }

    /**
     * ResnetBlocks per decoder level.
     *
     * @return {@code numResBlocks + 1}
     */
    public int decoderResBlocks() {
        return numResBlocks + 1;
    }

    /**
     * The official GroupNorm rule ({@code flux_vqgan.Normalize}).
     *
     * @param channels the normalised channel count
     * @return 32 if {@code channels % 32 == 0}, else 24 if {@code channels % 24 == 0}
     * @throws IllegalArgumentException if neither divides {@code channels}
     */
    public static int groupNormGroups(int channels) {
        int g = groupsOrZero(channels);
        if (channels < 1 || g == 0) {
            throw new IllegalArgumentException(
                    "GroupNorm of " + channels + " channels: divisible neither by 32 nor by 24");
        }
        return g;
    }

    /**
     * The latent size for an image side.
     *
     * @param imageSide image height or width in pixels, a positive multiple of {@link #patchSize()}
     * @return {@code imageSide / patchSize}
     * @throws IllegalArgumentException if {@code imageSide} is not a positive multiple of the patch size
     */
    public int latentSize(int imageSide) {
        if (imageSide < 1 || imageSide % patchSize != 0) {
            throw new IllegalArgumentException(
                    "Image side " + imageSide + " is not a positive multiple of the VAE patch size " + patchSize);
        }
        return imageSide / patchSize;
    }

    /**
     * The quantizer's code magnitude before normalisation, {@code 1/sqrt(d)} as the official code uses it
     * (a Python float, rounded to float32 when it multiplies a float32 tensor).
     *
     * @return {@code (float) (1 / sqrt(codebookDim))}
     */
    public float codebookScale() {
        return (float) (1.0 / Math.sqrt(codebookDim));
    }

    /**
     * The number of parameters (the state dict without its {@code lfq.mask} buffers).
     *
     * @return the parameter count
     */
    public long parameterCount() {
        return VaeWeights.parameterCount(this);
    }

    @Override
    public String toString() {
        return "VaeConfig[base " + baseChannels + ", ch_mult " + channelMultipliers + ", " + numResBlocks
                + " res blocks, d " + codebookDim + ", stride " + patchSize + ", eps " + normEps + "]";
    }
}
