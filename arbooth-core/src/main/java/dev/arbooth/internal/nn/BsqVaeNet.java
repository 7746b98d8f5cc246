package dev.arbooth.internal.nn;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.VaeConfig;
import java.util.Arrays;
import java.util.Objects;

/**
 * The convolutional encoder and decoder of the BSQ multi-scale VAE (official {@code
 * flux_vqgan.Encoder}/{@code Decoder} with 2-D convolutions, GroupNorm and no attention), written once
 * against {@link Ops}. Weights are looked up by their official names ({@link
 * dev.arbooth.internal.weights.VaeWeights}); the quantizer between the two runs engine-free ({@link MultiScaleBsq}).
 *
 * <p>Blocks, with {@code swish(x) = x·sigmoid(x)} and 3×3 convolutions of stride 1 and padding 1 unless
 * stated:
 *
 * <ul>
 *   <li>ResnetBlock {@code (in → out)}: {@code h = conv1(swish(norm1(x)))}, {@code h = conv2(swish(norm2(h)))},
 *       result {@code shortcut(x) + h}, the shortcut a 1×1 {@code nin_shortcut} convolution when {@code in !=
 *       out};
 *   <li>Downsample: zero padding of one column on the right and one row at the bottom, then a 3×3
 *       convolution of stride 2 and padding 0;
 *   <li>Upsample: nearest ×2, then a 3×3 convolution.
 * </ul>
 *
 * Layer order is in {@link VaeConfig}. Stateless apart from its configuration; thread-safe.
 */
public final class BsqVaeNet {
    private final VaeConfig config;

    private BsqVaeNet(VaeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * The network of a configuration.
     *
     * @param config the VAE architecture
     * @return the network
     */
    public static BsqVaeNet of(VaeConfig config) {
        return new BsqVaeNet(config);
    }

    /**
     * The configuration.
     *
     * @return the VAE architecture
     */
    public VaeConfig config() {
        return config;
    }

    /**
     * Encodes images to raw (unquantized) features, the official {@code encode_for_raw_features}.
     *
     * @param ops the engine
     * @param image_N3HW images in {@code [-1, 1]}, {@code (N, 3, H, W)}, H and W multiples of the patch size
     * @param <T> the engine's tensor type
     * @return the features {@code (N, d, H/patch, W/patch)}
     * @throws ShapeMismatchException if the input is not {@code (N, 3, H, W)} with such sizes
     */
    public <T> T encode(Ops<T> ops, T image_N3HW) {
        long[] s = ops.shape(image_N3HW);
        if (s.length != 4
                || s[1] != VaeConfig.IMAGE_CHANNELS
                || s[0] < 1
                || s[2] < 1
                || s[3] < 1
                || s[2] % config.patchSize() != 0
                || s[3] % config.patchSize() != 0) {
            throw new ShapeMismatchException("VAE encoder input: expected (N, 3, H, W) with H and W multiples of "
                    + config.patchSize() + ", got " + Arrays.toString(s));
        }
        // 1. stem
        T h = conv(ops, image_N3HW, "encoder.conv_in", 1, 1);
        // 2. levels: ResnetBlocks, then a stride-2 Downsample on the first log2(patch) levels
        int blockIn = config.baseChannels();
        for (int i = 0; i < config.levels(); i++) {
            int ch = config.channels(i);
            for (int j = 0; j < config.numResBlocks(); j++) {
                h = resnet(ops, h, "encoder.down." + i + ".block." + j, blockIn, ch);
                blockIn = ch;
            }
            if (config.downsamplesAt(i)) {
                h = ops.pad2d(h, 0, 1, 0, 1);
                h = conv(ops, h, "encoder.down." + i + ".downsample.conv", 2, 0);
            }
        }
        // 3. mid
        h = resnet(ops, h, "encoder.mid.block_1", blockIn, blockIn);
        h = resnet(ops, h, "encoder.mid.block_2", blockIn, blockIn);
        // 4. head: GroupNorm, swish, conv to d channels
        h = ops.silu(norm(ops, h, "encoder.norm_out", blockIn));
        return conv(ops, h, "encoder.conv_out", 1, 1);
    }

    /**
     * Decodes summed codes to images, the official {@code AutoEncoder.decode}: the decoder, then a clamp to
     * {@code [-1, 1]}.
     *
     * @param ops the engine
     * @param codes summed codes {@code (N, d, h, w)}, or the official {@code (N, d, 1, h, w)}
     * @param <T> the engine's tensor type
     * @return images {@code (N, 3, h·patch, w·patch)} in {@code [-1, 1]}
     * @throws ShapeMismatchException if the input has another shape
     */
    public <T> T decode(Ops<T> ops, T codes) {
        long[] s = ops.shape(codes);
        int d = config.codebookDim();
        T z = codes;
        if (s.length == 5 && s[1] == d && s[2] == 1) {
            z = ops.reshape(codes, s[0], s[1], s[3], s[4]);
        } else if (s.length != 4 || s[1] != d) {
            throw new ShapeMismatchException("VAE decoder input: expected (N, " + d + ", h, w) or (N, " + d
                    + ", 1, h, w), got " + Arrays.toString(s));
        }
        // 1. stem: d -> deepest width
        int blockIn = config.deepestChannels();
        T h = conv(ops, z, "decoder.conv_in", 1, 1);
        // 2. mid
        h = resnet(ops, h, "decoder.mid.block_1", blockIn, blockIn);
        h = resnet(ops, h, "decoder.mid.block_2", blockIn, blockIn);
        // 3. levels from the deepest: numResBlocks + 1 ResnetBlocks, then a x2 Upsample on levels log2(patch)..1
        for (int i = config.levels() - 1; i >= 0; i--) {
            int ch = config.channels(i);
            for (int j = 0; j < config.decoderResBlocks(); j++) {
                h = resnet(ops, h, "decoder.up." + i + ".block." + j, blockIn, ch);
                blockIn = ch;
            }
            if (config.upsamplesAt(i)) {
                h = conv(ops, ops.upsampleNearest2x(h), "decoder.up." + i + ".upsample.conv", 1, 1);
            }
        }
        // 4. head: GroupNorm, swish, conv to RGB, clamp
        h = ops.silu(norm(ops, h, "decoder.norm_out", blockIn));
        h = conv(ops, h, "decoder.conv_out", 1, 1);
        return ops.clamp(h, -1f, 1f);
    }

    private <T> T resnet(Ops<T> ops, T x, String p, int cin, int cout) {
        T h = conv(ops, ops.silu(norm(ops, x, p + ".norm1", cin)), p + ".conv1", 1, 1);
        h = conv(ops, ops.silu(norm(ops, h, p + ".norm2", cout)), p + ".conv2", 1, 1);
        T shortcut = cin == cout ? x : conv(ops, x, p + ".nin_shortcut", 1, 0);
        return ops.add(shortcut, h);
    }

    private <T> T conv(Ops<T> ops, T x, String module, int stride, int padding) {
        return ops.conv2d(x, ops.weight(module + ".conv.weight"), ops.weight(module + ".conv.bias"), stride, padding);
    }

    private <T> T norm(Ops<T> ops, T x, String module, int channels) {
        return ops.groupNorm(
                x,
                VaeConfig.groupNormGroups(channels),
                ops.weight(module + ".norm.weight"),
                ops.weight(module + ".norm.bias"),
                (float) config.normEps());
    }
}
