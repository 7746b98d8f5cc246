package dev.arbooth.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.arbooth.WeightBindingException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import dev.arbooth.testing.TestConfigs;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InfinityWeightsTest {
    private static final String WEIGHTS = "infinity-set1/transformer_weights.safetensors";

    private static Map<String, long[]> shapes(InfinityConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (TensorSpec s : InfinityWeights.expected(c)) {
            assertThat(m.put(s.name(), s.shape())).as("duplicate %s", s.name()).isNull();
        }
        return m;
    }

    @Test
    void goldenSet1WeightsBindStrictly() {
        InfinityConfig c = InfinityConfig.goldenSet1();
        try (SafeTensors st = Golden.open(WEIGHTS)) {
            Map<String, Tensor> bound = InfinityWeights.bind(c, st);
            assertThat(bound).hasSize(64);
            assertThat(bound.keySet()).isEqualTo(new HashSet<>(st.names()));
            long params = 0;
            for (String n : st.names()) {
                if (!n.endsWith("zero_k_bias")) {
                    params += Tensor.numel(st.shape(n));
                }
            }
            assertThat(c.parameterCount()).isEqualTo(params).isEqualTo(805_668L);
            assertThat(bound.get("block_chunks.0.module.0.sa.zero_k_bias").toFloatArray())
                    .containsOnly(0f);
        }
    }

    @Test
    void tamperedStateDictGivesOneExceptionListingAllThree() {
        InfinityConfig c = InfinityConfig.goldenSet1();
        Map<String, Tensor> tensors;
        try (SafeTensors st = Golden.open(WEIGHTS)) {
            tensors = new LinkedHashMap<>();
            for (String n : st.names()) {
                tensors.put(n, Tensor.ofFloats(st.get(n).toFloatArray(), st.shape(n)));
            }
        }
        tensors.remove("block_chunks.1.module.0.ffn.fc2.bias");
        tensors.put("block_chunks.1.module.0.ffn.fc3.weight", Tensor.ofFloats(new float[4], 2, 2));
        tensors.put("head.weight", Tensor.ofFloats(new float[33 * 128], 33, 128));
        WeightBindingException e =
                assertThrows(WeightBindingException.class, () -> InfinityWeights.bind(c, StateDict.of(tensors)));
        assertThat(e.missing()).containsExactly("block_chunks.1.module.0.ffn.fc2.bias");
        assertThat(e.unexpected()).containsExactly("block_chunks.1.module.0.ffn.fc3.weight");
        assertThat(e.misshapen()).containsExactly("head.weight: expected [32, 128] but got [33, 128]");
        assertThat(e.getMessage())
                .contains("Infinity transformer (depth 2, width 128, 2 heads, FFN 512, Ct5 256, 16 bits/token)")
                .contains("1 missing, 1 unexpected, 1 misshapen");
    }

    @Test
    void infinity2bNamesAndShapes() {
        // Every number below follows from infinity/models/infinity.py + basic.py (FoundationVision/Infinity)
        // with the args of tools/run_infinity.py for infinity_2b: depth 32, embed_dim 2048, num_heads 16,
        // mlp_ratio 4, block_chunks 8, text_channels 2048 (flan-t5-xl), text_maxlen 512, vae_type 32 (d 32),
        // apply_spatial_patchify 0, shared_aln, head_aln, cos_attn.
        Map<String, long[]> m = shapes(InfinityConfig.infinity2b());
        // FFN: round(2048 * 4 / 256) * 256 = 8192; 32 blocks = 8 chunks x 4 -> last block is chunk 7, module 3
        assertThat(m.get("block_chunks.7.module.3.ffn.fc1.weight")).containsExactly(8192, 2048);
        assertThat(m.get("block_chunks.7.module.3.ffn.fc2.weight")).containsExactly(2048, 8192);
        assertThat(m).doesNotContainKey("block_chunks.7.module.4.ffn.fc1.weight");
        assertThat(m).doesNotContainKey("block_chunks.8.module.0.ffn.fc1.weight");
        // TextAttentivePool: head width 128 (C <= 4096) -> 2048 / 128 = 16 heads of C / 16 = 128
        assertThat(m.get("text_proj_for_sos.ca.mat_q")).containsExactly(1, 16, 128);
        assertThat(m.get("text_proj_for_sos.ca.mat_kv.weight")).containsExactly(4096, 2048);
        // head: V = 2 * 32 bits (use_bit_label)
        assertThat(m.get("head.weight")).containsExactly(64, 2048);
        // cfg_uncond: (text_maxlen, Ct5)
        assertThat(m.get("cfg_uncond")).containsExactly(512, 2048);
        assertThat(m.get("word_embed.weight")).containsExactly(2048, 32);
        assertThat(m.get("lvl_embed.weight")).containsExactly(15, 2048);
        assertThat(m.get("shared_ada_lin.1.weight")).containsExactly(12288, 2048);
        assertThat(m.get("block_chunks.0.module.0.sa.scale_mul_1H11")).containsExactly(1, 16, 1, 1);
        assertThat(m.get("block_chunks.3.module.2.sa.mat_qkv.weight")).containsExactly(6144, 2048);
        assertThat(m.get("block_chunks.3.module.2.ca.mat_kv.weight")).containsExactly(4096, 2048);
        assertThat(m.get("block_chunks.3.module.2.ada_gss")).containsExactly(1, 1, 6, 2048);
        // 22 model-level tensors + 21 per block (two zero_k_bias buffers each); the same structure as the
        // golden set-1 state dict, which has 22 + 2 x 21 = 64
        assertThat(m).hasSize(22 + 32 * 21);
        // parameters (buffers excluded): 55,834,688 model-level + 32 x 67,147,792 per block. The official
        // get_params_num(32, 2048) estimate (which assumes Ct5 4096 and ignores biases) gives 2.23e9.
        assertThat(InfinityConfig.infinity2b().parameterCount()).isEqualTo(2_204_564_032L);
    }

    @Test
    void infinity8bNamesAndShapes() {
        // tools/run_infinity.py, model_type infinity_8b: depth 40, embed_dim 3584, num_heads 28, block_chunks 8;
        // the 8B commands: vae_type 14 with apply_spatial_patchify 1 -> d_vae = 4 x 14 = 56 bits per token.
        Map<String, long[]> m = shapes(TestConfigs.infinity8bLayout());
        assertThat(m.get("word_embed.weight")).containsExactly(3584, 56);
        assertThat(m.get("head.weight")).containsExactly(112, 3584);
        assertThat(m.get("text_proj_for_sos.ca.mat_q")).containsExactly(1, 16, 224);
        assertThat(m.get("block_chunks.7.module.4.ffn.fc1.weight")).containsExactly(14336, 3584);
        assertThat(m.get("block_chunks.7.module.4.sa.scale_mul_1H11")).containsExactly(1, 28, 1, 1);
        assertThat(m).hasSize(22 + 40 * 21);
        assertThat(TestConfigs.infinity8bLayout().parameterCount()).isEqualTo(8_375_791_824L);
    }

    @Test
    void variantFlagsChangeTheNames() {
        InfinityConfig base = InfinityConfig.goldenSet1();
        Map<String, long[]> flat = shapes(base.toBuilder().blockChunks(1).build());
        assertThat(flat).containsKeys("blocks.0.sa.mat_qkv.weight", "blocks.1.ffn.fc2.bias");
        assertThat(flat.keySet()).noneMatch(n -> n.startsWith("block_chunks."));

        Map<String, long[]> perBlockAln =
                shapes(base.toBuilder().sharedAdaLn(false).build());
        assertThat(perBlockAln.get("block_chunks.1.module.0.ada_lin.1.weight")).containsExactly(768, 128);
        assertThat(perBlockAln.get("block_chunks.1.module.0.ada_lin.1.bias")).containsExactly(768);
        assertThat(perBlockAln.keySet()).noneMatch(n -> n.endsWith("ada_gss") || n.startsWith("shared_ada_lin"));

        Map<String, long[]> plainHead = shapes(base.toBuilder().headAdaLn(false).build());
        assertThat(plainHead.get("head.0.weight")).containsExactly(128);
        assertThat(plainHead.get("head.1.weight")).containsExactly(32, 128);
        assertThat(plainHead.keySet()).noneMatch(n -> n.startsWith("head_nm."));

        Map<String, long[]> noCos = shapes(base.toBuilder().cosAttn(false).build());
        assertThat(noCos.keySet()).noneMatch(n -> n.endsWith("scale_mul_1H11"));

        Map<String, long[]> patchify =
                shapes(base.toBuilder().spatialPatchify(true).build());
        assertThat(patchify.get("word_embed.weight")).containsExactly(128, 64);
        assertThat(patchify.get("head.weight")).containsExactly(128, 128);

        List<String> buffers = InfinityWeights.expected(base).stream()
                .map(TensorSpec::name)
                .filter(InfinityWeights::isBuffer)
                .collect(Collectors.toList());
        assertThat(buffers)
                .containsExactly(
                        "text_proj_for_sos.ca.zero_k_bias",
                        "block_chunks.0.module.0.sa.zero_k_bias",
                        "block_chunks.0.module.0.ca.zero_k_bias",
                        "block_chunks.1.module.0.sa.zero_k_bias",
                        "block_chunks.1.module.0.ca.zero_k_bias");
    }

    @Test
    void oneTableNamesEveryTensorItsPartAndTheSelections() {
        InfinityConfig c = InfinityConfig.goldenSet1();
        for (TensorSpec spec : InfinityWeights.expected(c)) {
            InfinityTensor t = InfinityWeights.tensorOf(c, spec.name());
            assertThat(t.isBuffer()).isEqualTo(InfinityWeights.isBuffer(spec.name()));
            assertThat(t.shape(c)).containsExactly(spec.shape());
        }
        // ARBooth's set: 10 parameters per block, cross-attention and FFN only
        List<TensorSpec> arbooth = InfinityWeights.parameters(c, InfinityPart.ARBOOTH);
        assertThat(arbooth).hasSize(10 * c.depth()).isEqualTo(InfinityWeights.adapterTensors(c));
        assertThat(arbooth)
                .extracting(TensorSpec::name)
                .allMatch(n -> n.matches("block_chunks\\.\\d\\.module\\.0\\.(ca|ffn)\\..*"))
                .noneMatch(n -> n.endsWith("zero_k_bias"));
        // every block: 19 parameters (21 tensors minus the two zero_k_bias buffers)
        assertThat(InfinityWeights.parameters(c, InfinityPart.BLOCKS)).hasSize(19 * c.depth());
        assertThat(InfinityWeights.parameters(c, java.util.EnumSet.allOf(InfinityPart.class)))
                .extracting(TensorSpec::name)
                .hasSize(64 - 5)
                .noneMatch(InfinityWeights::isBuffer);
        // LoRA targets of ARBooth's parts: the five linears of every block
        assertThat(InfinityWeights.linearWeights(c, InfinityPart.ARBOOTH))
                .containsExactly(
                        "block_chunks.0.module.0.ca.mat_q.weight",
                        "block_chunks.0.module.0.ca.mat_kv.weight",
                        "block_chunks.0.module.0.ca.proj.weight",
                        "block_chunks.0.module.0.ffn.fc1.weight",
                        "block_chunks.0.module.0.ffn.fc2.weight",
                        "block_chunks.1.module.0.ca.mat_q.weight",
                        "block_chunks.1.module.0.ca.mat_kv.weight",
                        "block_chunks.1.module.0.ca.proj.weight",
                        "block_chunks.1.module.0.ffn.fc1.weight",
                        "block_chunks.1.module.0.ffn.fc2.weight");
        assertThat(InfinityTensor.CA_MAT_Q_WEIGHT.key(c, 1)).isEqualTo("block_chunks.1.module.0.ca.mat_q.weight");
        assertThat(InfinityTensor.CFG_UNCOND.key()).isEqualTo("cfg_uncond");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> InfinityWeights.tensorOf(c, "blocks.0.ca.mat_q.weight"))
                .hasMessageContaining("is not a tensor of the Infinity transformer (depth 2");
    }
}
