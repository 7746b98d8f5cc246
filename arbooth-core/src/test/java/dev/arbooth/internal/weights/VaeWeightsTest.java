package dev.arbooth.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ArboothException;
import dev.arbooth.WeightBindingException;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.CheckpointFile;
import dev.arbooth.internal.format.Checkpoints;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.format.TorchCheckpoint;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VaeWeightsTest {
    private static final String WEIGHTS = "infinity-set1/vae_weights.safetensors";

    @Test
    void expectedMatchesGoldenStateDictExactly() {
        VaeConfig c = VaeConfig.goldenSet1();
        try (SafeTensors st = Golden.open(WEIGHTS)) {
            List<TensorSpec> expected = VaeWeights.expected(c);
            assertThat(expected.stream().map(TensorSpec::name).sorted().toList())
                    .isEqualTo(st.names().stream().sorted().toList());
            for (TensorSpec s : expected) {
                assertThat(st.shape(s.name())).as(s.name()).isEqualTo(s.shape());
            }
            assertThat(VaeWeights.keyStyle(c, st)).isEqualTo(VaeWeights.KeyStyle.OFFICIAL);
            Map<String, Tensor> bound = VaeWeights.bind(c, st);
            assertThat(bound).hasSize(expected.size());
            long[] mask = bound.get(VaeWeights.QUANTIZER_MASK).toLongArray();
            for (int i = 0; i < 16; i++) {
                assertThat(mask[i]).isEqualTo(1L << (15 - i));
            }
        }
    }

    @Test
    void pthVaeAndEmaAndPlainKeysAllEqualTheSafetensors() {
        VaeConfig c = VaeConfig.goldenSet1();
        try (SafeTensors st = Golden.open(WEIGHTS);
                TorchCheckpoint ck = TorchCheckpoint.open(Golden.golden("pth/vae_checkpoint.pth"));
                CheckpointFile plain = Checkpoints.open(Golden.golden("pth/vae_checkpoint_plain_keys.pth"), "vae")) {
            Map<String, Tensor> ref = VaeWeights.bind(c, st);
            StateDict vae = ck.stateDict("vae");
            StateDict ema = ck.stateDict("ema");
            assertThat(VaeWeights.keyStyle(c, vae)).isEqualTo(VaeWeights.KeyStyle.OFFICIAL);
            assertThat(VaeWeights.keyStyle(c, plain)).isEqualTo(VaeWeights.KeyStyle.PLAIN);
            assertThat(plain.names()).contains("decoder.conv_in.weight", "encoder.down.0.block.0.norm1.weight");
            Map<String, Tensor> fromVae = VaeWeights.bind(c, vae);
            Map<String, Tensor> fromEma = VaeWeights.bind(c, ema);
            Map<String, Tensor> fromPlain = VaeWeights.bind(c, plain);
            for (String n : ref.keySet()) {
                assertThat(fromVae.get(n)).as(n).isEqualTo(ref.get(n));
                assertThat(fromEma.get(n)).as(n).isEqualTo(ref.get(n));
                assertThat(fromPlain.get(n)).as(n).isEqualTo(ref.get(n));
            }
            assertThat(((Number) ((Map<?, ?>) ck.root()).get("step")).longValue())
                    .isEqualTo(12345L);
        }
    }

    @Test
    void plainNames() {
        assertThat(VaeWeights.plainName("decoder.conv_in.conv.weight")).isEqualTo("decoder.conv_in.weight");
        assertThat(VaeWeights.plainName("decoder.up.1.upsample.conv.conv.bias"))
                .isEqualTo("decoder.up.1.upsample.conv.bias");
        assertThat(VaeWeights.plainName("encoder.norm_out.norm.weight")).isEqualTo("encoder.norm_out.weight");
        assertThat(VaeWeights.plainName("quantizer.lfq.mask")).isEqualTo("quantizer.lfq.mask");
    }

    @Test
    void mixedAndDuplicateSpellingsAndTamperedDicts() {
        VaeConfig c = VaeConfig.goldenSet1();
        Map<String, Tensor> t = new LinkedHashMap<>();
        try (SafeTensors st = Golden.open(WEIGHTS)) {
            for (String n : st.names()) {
                t.put(n, st.get(n));
            }
        }
        Map<String, Tensor> mixed = new LinkedHashMap<>(t);
        mixed.put("decoder.conv_in.weight", mixed.remove("decoder.conv_in.conv.weight"));
        assertThat(VaeWeights.keyStyle(c, StateDict.of(mixed))).isEqualTo(VaeWeights.KeyStyle.MIXED);
        assertThat(VaeWeights.bind(c, StateDict.of(mixed))).containsKey("decoder.conv_in.conv.weight");

        Map<String, Tensor> dup = new LinkedHashMap<>(t);
        dup.put("decoder.conv_in.weight", t.get("decoder.conv_in.conv.weight"));
        assertThatThrownBy(() -> VaeWeights.bind(c, StateDict.of(dup)))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("decoder.conv_in.conv.weight")
                .hasMessageContaining("twice");

        Map<String, Tensor> bad = new LinkedHashMap<>(t);
        bad.remove("encoder.mid.block_2.conv1.conv.bias");
        bad.put("encoder.extra.weight", Tensor.ofFloats(new float[2], 2));
        bad.put("decoder.conv_out.conv.bias", Tensor.ofFloats(new float[4], 4));
        assertThatThrownBy(() -> VaeWeights.bind(c, StateDict.of(bad)))
                .isInstanceOfSatisfying(WeightBindingException.class, e -> {
                    assertThat(e.missing()).containsExactly("encoder.mid.block_2.conv1.conv.bias");
                    assertThat(e.unexpected()).containsExactly("encoder.extra.weight");
                    assertThat(e.misshapen()).hasSize(1);
                    assertThat(e.misshapen().get(0)).contains("decoder.conv_out.conv.bias");
                });
        // the wrong configuration fails with the whole difference
        assertThatThrownBy(() -> VaeWeights.bind(VaeConfig.infinityVaeD32(), StateDict.of(t)))
                .isInstanceOf(WeightBindingException.class)
                .hasMessageContaining("d 32");
        assertThat(VaeWeights.keyStyle(c, StateDict.of(new LinkedHashMap<>()))).isEqualTo(VaeWeights.KeyStyle.UNKNOWN);
        assertThat(new ArrayList<>(VaeWeights.normalize(c, StateDict.of(t)).names()))
                .isEqualTo(new ArrayList<>(t.keySet()));
    }
}
