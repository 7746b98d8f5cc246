package dev.arbooth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.weights.VaeWeights;
import dev.arbooth.testing.Golden;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class VaeConfigTest {

    private static Map<String, long[]> shapes(VaeConfig c) {
        return VaeWeights.expected(c).stream().collect(Collectors.toMap(TensorSpec::name, TensorSpec::shape));
    }

    @Test
    void goldenSet1MatchesConfigJson() throws Exception {
        JsonObject cfg = JsonParser.parseString(Files.readString(Golden.golden("infinity-set1/config.json")))
                .getAsJsonObject();
        JsonObject call = cfg.getAsJsonObject("vae_model_call");
        VaeConfig c = VaeConfig.goldenSet1();
        assertThat(c.baseChannels()).isEqualTo(call.get("base_ch").getAsInt()).isEqualTo(32);
        List<Integer> mult = new ArrayList<>();
        call.getAsJsonArray("encoder_ch_mult").forEach(e -> mult.add(e.getAsInt()));
        assertThat(c.channelMultipliers()).isEqualTo(mult);
        List<Integer> dmult = new ArrayList<>();
        call.getAsJsonArray("decoder_ch_mult").forEach(e -> dmult.add(e.getAsInt()));
        assertThat(c.channelMultipliers()).isEqualTo(dmult);
        assertThat(c.numResBlocks()).isEqualTo(call.get("num_res_blocks").getAsInt());
        assertThat(c.codebookDim()).isEqualTo(call.get("codebook_dim").getAsInt());
        assertThat(c.patchSize()).isEqualTo(call.get("patch_size").getAsInt());
        assertThat(1L << c.codebookDim()).isEqualTo(call.get("codebook_size").getAsLong());
        int imageSide = cfg.getAsJsonObject("derived")
                .getAsJsonArray("vae_image_hw")
                .get(0)
                .getAsInt();
        assertThat(c.latentSize(imageSide)).isEqualTo(16);
        assertThat(c.downsamplings()).isEqualTo(3);
        assertThat(c.codebookScale()).isEqualTo(0.25f);
        assertThat(c.deepestChannels()).isEqualTo(64);
        assertThat(c.decoderResBlocks()).isEqualTo(3);
    }

    /**
     * The released Infinity-2B VAE. Shapes follow from the official constructors (FoundationVision/Infinity
     * {@code infinity/models/bsq_vae/flux_vqgan.py}: Decoder {@code block_in = ch * ch_mult[-1]}, {@code conv_in
     * = Conv(z_channels, block_in, 3)}; Encoder {@code block_in = ch * in_ch_mult[i_level]}, Downsample for
     * {@code i_level < log2(patch_size)}; Decoder Upsample for {@code 1 <= i_level <= log2(patch_size)}, {@code
     * num_res_blocks + 1} blocks per level) with {@code tools/run_infinity.py::load_visual_tokenizer}'s
     * arguments for {@code vae_type=32} ({@code patch_size=16}, {@code ch_mult=[1,2,4,4,4]}) and {@code
     * bsq_vae/vae.py::vae_model}'s {@code base_ch=128}, {@code num_res_blocks=2}.
     */
    @Test
    void infinityVaeD32Layout() {
        VaeConfig c = VaeConfig.infinityVaeD32();
        Map<String, long[]> s = shapes(c);
        assertThat(s.get("decoder.conv_in.conv.weight")).containsExactly(512, 32, 3, 3);
        assertThat(s.get("encoder.conv_in.conv.weight")).containsExactly(128, 3, 3, 3);
        assertThat(s.get("encoder.conv_out.conv.weight")).containsExactly(32, 512, 3, 3);
        assertThat(s.get("decoder.conv_out.conv.weight")).containsExactly(3, 128, 3, 3);
        assertThat(s.get("encoder.down.1.block.0.nin_shortcut.conv.weight")).containsExactly(256, 128, 1, 1);
        assertThat(s.get("encoder.down.2.block.0.nin_shortcut.conv.weight")).containsExactly(512, 256, 1, 1);
        assertThat(s).doesNotContainKey("encoder.down.3.block.0.nin_shortcut.conv.weight");
        // four stride-2 downsamplings (levels 0..3), none after the last level
        for (int i = 0; i < 4; i++) {
            assertThat(s).containsKey("encoder.down." + i + ".downsample.conv.conv.weight");
        }
        assertThat(s).doesNotContainKey("encoder.down.4.downsample.conv.conv.weight");
        // upsamplings after levels 4..1, none after level 0
        for (int i = 1; i <= 4; i++) {
            assertThat(s).containsKey("decoder.up." + i + ".upsample.conv.conv.weight");
        }
        assertThat(s).doesNotContainKey("decoder.up.0.upsample.conv.conv.weight");
        assertThat(s.get("decoder.up.0.block.2.conv2.conv.weight")).containsExactly(128, 128, 3, 3);
        assertThat(s).doesNotContainKey("decoder.up.0.block.3.conv1.conv.weight");
        assertThat(s.get("decoder.up.1.block.0.nin_shortcut.conv.weight")).containsExactly(256, 512, 1, 1);
        assertThat(s.get("decoder.up.0.block.0.nin_shortcut.conv.weight")).containsExactly(128, 256, 1, 1);
        assertThat(s.get("decoder.up.4.block.0.conv1.conv.weight")).containsExactly(512, 512, 3, 3);
        assertThat(s.get("quantizer.lfq.mask")).containsExactly(32);
        assertThat(c.latentSize(1024)).isEqualTo(64);
        assertThat(VaeWeights.expected(c)).hasSize(s.size());
        // GroupNorm of 128..512 channels: 32 groups
        assertThat(VaeConfig.groupNormGroups(512)).isEqualTo(32);
        assertThat(c.parameterCount()).isPositive();
    }

    @Test
    void infinityVaeD56Layout() {
        VaeConfig c = VaeConfig.infinityVaeD56();
        Map<String, long[]> s = shapes(c);
        assertThat(s.get("decoder.conv_in.conv.weight")).containsExactly(512, 14, 3, 3);
        assertThat(s.get("encoder.conv_out.conv.weight")).containsExactly(14, 512, 3, 3);
        assertThat(s).containsKey("encoder.down.2.downsample.conv.conv.weight");
        assertThat(s).doesNotContainKey("encoder.down.3.downsample.conv.conv.weight");
        assertThat(c.latentSize(1024)).isEqualTo(128);
    }

    @Test
    void groupNormRule() {
        assertThat(VaeConfig.groupNormGroups(64)).isEqualTo(32);
        assertThat(VaeConfig.groupNormGroups(48)).isEqualTo(24);
        assertThat(VaeConfig.groupNormGroups(96)).isEqualTo(32);
        assertThatThrownBy(() -> VaeConfig.groupNormGroups(40)).hasMessageContaining("40");
    }

    @Test
    void validation() {
        assertThatThrownBy(() -> new VaeConfig(32, List.of(1, 2), 2, 8, 4, 1e-6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("patchSize 4");
        assertThatThrownBy(() -> new VaeConfig(32, List.of(1, 2, 2), 2, 8, 6, 1e-6))
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> new VaeConfig(20, List.of(1, 2, 2), 2, 8, 4, 1e-6))
                .hasMessageContaining("20 channels");
        assertThatThrownBy(() -> new VaeConfig(32, List.of(), 2, 8, 4, 1e-6)).hasMessageContaining("level");
        assertThatThrownBy(() -> new VaeConfig(32, List.of(1, 0, 2), 2, 8, 4, 1e-6))
                .hasMessageContaining("channelMultipliers[1]");
        assertThatThrownBy(() -> new VaeConfig(32, List.of(1, 2, 2), 0, 8, 4, 1e-6))
                .hasMessageContaining("numResBlocks");
        assertThatThrownBy(() -> new VaeConfig(32, List.of(1, 2, 2), 2, 0, 4, 1e-6))
                .hasMessageContaining("codebookDim");
        assertThatThrownBy(() -> new VaeConfig(32, List.of(1, 2, 2), 2, 8, 4, 0))
                .hasMessageContaining("normEps");
        assertThatThrownBy(() -> VaeConfig.goldenSet1().latentSize(100)).hasMessageContaining("patch size 8");
        VaeConfig ok = new VaeConfig(32, List.of(1, 2, 2), 1, 8, 4, 1e-6);
        assertThat(ok.downsamplesAt(0)).isTrue();
        assertThat(ok.downsamplesAt(1)).isTrue();
        assertThat(ok.downsamplesAt(2)).isFalse();
        assertThat(ok.upsamplesAt(0)).isFalse();
        assertThat(ok.upsamplesAt(2)).isTrue();
    }
}
