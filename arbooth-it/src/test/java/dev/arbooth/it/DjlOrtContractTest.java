package dev.arbooth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.base.BaseModel;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.NextScaleResult;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.GeneratedImage;
import dev.arbooth.runtime.Generator;
import dev.arbooth.runtime.testing.TestBases;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import dev.arbooth.testing.TestAdapters;
import dev.arbooth.text.TextFeatures;
import dev.arbooth.train.internal.DjlInfinity;
import dev.arbooth.train.internal.DjlVae;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine contract: DJL (eager, the training engine) and ONNX Runtime (the generator) give the same bits
 * and images for the same checkpoint, adapter, prompt features and seed, with ARBooth's stochastic
 * inference settings (cfg 4, τ 0.5, top-k 900, top-p 0.97). Bits must be identical; images, decoded from
 * identical bits by two engines' VAE decoders, within the golden decoder tolerance 5e-4.
 */
@Tag("slow")
class DjlOrtContractTest {
    @TempDir
    Path dir;

    @Test
    void sameBitsAndImagesWithAndWithoutAdapter() {
        BaseModel base = TestBases.goldenSet1(dir);
        Adapter adapter = TestBases.adapterOn(11);
        TextFeatures prompts = goldenFeatures();
        // the identifier rows in place: prompt 0's token 1 and prompt 1's token 2 play the identifier
        TextFeatures personal = withRows(prompts, adapter.identifierEmbedding(), 1, prompts.lengths()[0] + 2);
        SamplingOptions options = SamplingOptions.defaults().withSeed(5).withScaleBits(true);
        try (Generator ort = Generator.base(base, Device.cpu(1));
                Generator ortAdapter = ort.withAdapter(adapter)) {
            check(base, TestAdapters.set1Weights(), prompts, options, ort.sample(prompts, options));
            check(base, TestAdapters.set1WeightsWith(adapter), personal, options, ortAdapter.sample(personal, options));
        }
    }

    /**
     * Issue 10: an adapter that carries every block parameter (self-attention with its cosine scale, the AdaLN
     * tables, the CA LayerNorm, CA and FFN; format version 2) is overlaid by the generator and samples exactly
     * what DJL samples with those weights. The self-attention tensors alone change the bits (checked against
     * the CA/FFN-only part of the same adapter), so an overlay that missed them could not pass.
     */
    @Test
    void everyBlockParameterOfAWideAdapterIsOverlaid() {
        BaseModel base = TestBases.goldenSet1(dir);
        Adapter wide = TestBases.adapterOn(12, dev.arbooth.internal.weights.InfinityPart.BLOCKS);
        assertThat(wide.manifest().formatVersion()).isEqualTo(2);
        assertThat(wide.tensors())
                .containsKeys(
                        "block_chunks.0.module.0.sa.mat_qkv.weight",
                        "block_chunks.1.module.0.sa.proj.bias",
                        "block_chunks.0.module.0.sa.scale_mul_1H11",
                        "block_chunks.1.module.0.ada_gss",
                        "block_chunks.0.module.0.ca_norm.weight");
        // the same adapter without its self-attention tensors
        java.util.Map<String, Tensor> noSa = new java.util.TreeMap<>(wide.tensors());
        noSa.keySet().removeIf(n -> n.contains(".sa."));
        Adapter narrower = Adapter.builder(wide.baseConfig(), wide.baseFingerprint())
                .identifier(wide.identifier())
                .classWord(wide.classWord())
                .identifierEmbedding(wide.identifierEmbedding())
                .tensors(noSa)
                .build();
        TextFeatures prompts = goldenFeatures();
        TextFeatures personal = withRows(prompts, wide.identifierEmbedding(), 1, prompts.lengths()[0] + 2);
        SamplingOptions options = SamplingOptions.defaults().withSeed(9).withScaleBits(true);
        try (Generator ort = Generator.base(base, Device.cpu(1));
                Generator ortWide = ort.withAdapter(wide);
                Generator ortNarrower = ort.withAdapter(narrower)) {
            List<GeneratedImage> images = ortWide.sample(personal, options);
            check(base, TestAdapters.set1WeightsWith(wide), personal, options, images);
            List<GeneratedImage> withoutSa = ortNarrower.sample(personal, options);
            boolean differ = false;
            for (int b = 0; b < images.size(); b++) {
                for (int k = 0; k < base.schedule().size(); k++) {
                    differ |= !Arrays.equals(
                            images.get(b).bits().orElseThrow().get(k),
                            withoutSa.get(b).bits().orElseThrow().get(k));
                }
            }
            assertThat(differ)
                    .as("the self-attention tensors change the sampled bits")
                    .isTrue();
        }
    }

    /**
     * Issue 10, LoRA: rank-4 factors on every linear layer ARBooth tunes (CA and FFN), fused into dense tensors by
     * {@code LoraFuse} (alpha 8, so scale 2), make an ordinary adapter that both engines sample identically.
     */
    @Test
    void aLoraFusedAdapterSamplesTheSameBitsOnBothEngines() {
        BaseModel base = TestBases.goldenSet1(dir);
        InfinityConfig c = InfinityConfig.goldenSet1();
        java.util.Map<String, Tensor> weights = TestAdapters.set1Weights();
        java.util.SplittableRandom random = new java.util.SplittableRandom(17);
        Adapter plain = TestBases.adapterOn(13);
        Adapter.Builder b = Adapter.builder(c, plain.baseFingerprint())
                .identifier(plain.identifier())
                .classWord(plain.classWord())
                .identifierEmbedding(plain.identifierEmbedding());
        int rank = 4;
        java.util.List<String> layers = dev.arbooth.internal.weights.InfinityWeights.linearWeights(
                c, dev.arbooth.internal.weights.InfinityPart.ARBOOTH);
        assertThat(layers).hasSize(5 * c.depth()); // ca.mat_q, ca.mat_kv, ca.proj, ffn.fc1, ffn.fc2 per block
        for (String key : layers) {
            Tensor w = weights.get(key);
            long out = w.dim(0);
            long in = w.dim(1);
            Tensor a = gaussian(random, 0.05, rank, in);
            Tensor bb = gaussian(random, 0.05, out, rank);
            b.tensor(key, dev.arbooth.internal.weights.LoraFuse.fuse(key, w, a, bb, 8.0 / rank));
        }
        Adapter lora = b.build();
        assertThat(lora.manifest().formatVersion()).isEqualTo(1);
        TextFeatures prompts = goldenFeatures();
        TextFeatures personal = withRows(prompts, lora.identifierEmbedding(), 1, prompts.lengths()[0] + 2);
        SamplingOptions options = SamplingOptions.defaults().withSeed(3).withScaleBits(true);
        try (Generator ort = Generator.with(lora, base, Device.cpu(1))) {
            check(base, TestAdapters.set1WeightsWith(lora), personal, options, ort.sample(personal, options));
        }
    }

    private static Tensor gaussian(java.util.SplittableRandom random, double std, long rows, long cols) {
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * random.nextGaussian());
        }
        return Tensor.ofFloats(v, rows, cols);
    }

    private static void check(
            BaseModel base,
            java.util.Map<String, Tensor> weights,
            TextFeatures features,
            SamplingOptions options,
            List<GeneratedImage> ortImages) {
        ScaleSchedule schedule = base.schedule();
        int[] lens = features.lengths();
        int d = base.infinity().bitsPerToken();
        NextScaleResult djl;
        float[] djlImages;
        try (DjlInfinity model = DjlInfinity.create(InfinityConfig.goldenSet1(), StateDict.of(weights));
                DjlVae vae = DjlVae.load(base.vaeWeights(), VaeConfig.goldenSet1());
                DjlInfinity.Stepper stepper =
                        model.stepper(features.kvCompact().toFloatArray(), lens, schedule, true)) {
            djl = NextScaleLoop.create(schedule, lens.length, d, BitSamplerOptions.of(options))
                    .run(stepper);
            djlImages = djl.decode(vae);
        }
        int per = 3 * 128 * 128;
        for (int b = 0; b < lens.length; b++) {
            List<long[]> ortBits = ortImages.get(b).bits().orElseThrow();
            for (int k = 0; k < schedule.size(); k++) {
                int n = schedule.get(k).tokens() * d;
                assertThat(ortBits.get(k))
                        .as("row %d scale %d bits", b, k)
                        .isEqualTo(Arrays.copyOfRange(djl.bits(k), b * n, (b + 1) * n));
            }
            double diff = Golden.maxAbsDiff(
                    Arrays.copyOfRange(djlImages, b * per, (b + 1) * per),
                    ortImages.get(b).image().toFloatArray());
            System.out.printf("DJL vs ONNX Runtime, row %d: bits identical, image max abs diff %.3g%n", b, diff);
            assertThat(diff).isLessThanOrEqualTo(5e-4);
        }
    }

    private static TextFeatures goldenFeatures() {
        try (SafeTensors in = Golden.open("infinity-set1/tf_inputs.safetensors")) {
            return TextFeatures.of(
                    Tensor.ofFloats(in.get("text.kv_compact").toFloatArray(), in.shape("text.kv_compact")),
                    in.get("text.lens").toIntArray());
        }
    }

    private static TextFeatures withRows(TextFeatures f, Tensor rows_1C, int... compactRows) {
        float[] v = f.kvCompact().toFloatArray();
        float[] r = rows_1C.toFloatArray();
        for (int row : compactRows) {
            System.arraycopy(r, 0, v, row * r.length, r.length);
        }
        return TextFeatures.of(Tensor.ofFloats(v, f.kvCompact().shape()), f.lengths());
    }
}
