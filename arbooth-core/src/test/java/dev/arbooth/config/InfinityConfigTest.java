package dev.arbooth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.arbooth.FormatException;
import dev.arbooth.internal.nn.Rope2d;
import dev.arbooth.internal.schedule.ScaleSchedules;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.testing.Golden;
import dev.arbooth.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class InfinityConfigTest {
    @Test
    void goldenSet1PresetMatchesConfigJson() throws IOException {
        JsonObject cfg = JsonParser.parseString(Files.readString(Golden.golden("infinity-set1/config.json")))
                .getAsJsonObject();
        JsonObject kw = cfg.getAsJsonObject("infinity_constructor_kwargs");
        JsonObject derived = cfg.getAsJsonObject("derived");
        InfinityConfig c = InfinityConfig.goldenSet1();

        assertThat(c.depth()).isEqualTo(kw.get("depth").getAsInt());
        assertThat(c.embedDim()).isEqualTo(kw.get("embed_dim").getAsInt());
        assertThat(c.numHeads()).isEqualTo(kw.get("num_heads").getAsInt());
        assertThat(c.blockChunks()).isEqualTo(kw.get("block_chunks").getAsInt());
        assertThat(c.textChannels()).isEqualTo(kw.get("text_channels").getAsInt());
        assertThat(c.textMaxLength()).isEqualTo(kw.get("text_maxlen").getAsInt());
        assertThat(c.codebookDim()).isEqualTo(cfg.get("codebook_dim").getAsInt());
        assertThat(c.normEps()).isEqualTo(kw.get("norm_eps").getAsDouble());
        assertThat(c.cosAttn()).isEqualTo(kw.get("cos_attn").getAsBoolean());
        assertThat(c.sharedAdaLn()).isEqualTo(kw.get("shared_aln").getAsBoolean());
        assertThat(c.headAdaLn()).isEqualTo(kw.get("head_aln").getAsBoolean());
        assertThat(c.spatialPatchify())
                .isEqualTo(kw.get("apply_spatial_patchify").getAsInt() != 0);
        assertThat(c.rope2dNormalizedByHw())
                .isEqualTo(kw.get("rope2d_normalized_by_hw").getAsInt());
        assertThat(c.addLevelEmbeddingOnlyFirstBlock())
                .isEqualTo(kw.get("add_lvl_embeding_only_first_block").getAsInt() != 0);

        assertThat(c.ffnHidden())
                .isEqualTo(derived.get("ffn_hidden").getAsInt())
                .isEqualTo(InfinityConfig.ffnHiddenFor(
                        c.embedDim(), kw.get("mlp_ratio").getAsDouble()));
        assertThat(c.headDim()).isEqualTo(derived.get("head_dim").getAsInt());
        assertThat(c.vocabSize()).isEqualTo(derived.get("V_logits_per_token").getAsInt());
        assertThat(c.bitsPerToken()).isEqualTo(16);
        assertThat(c.textPoolHeads()).isEqualTo(derived.get("text_pool_heads").getAsInt());
        assertThat(c.textPoolHeadDim())
                .isEqualTo(derived.get("text_pool_head_dim").getAsInt());
        assertThat(c.textMaxLength()).isEqualTo(derived.get("cfg_uncond_rows").getAsInt());
        assertThat(c.blocksPerChunk()).isEqualTo(1);

        ScaleSchedule s = c.requireCompatible(ScaleSchedules.official(
                cfg.get("h_div_w").getAsDouble(),
                PixelBudget.fromLabel(kw.get("pn").getAsString())));
        assertThat(s.totalTokens()).isEqualTo(derived.get("L_tokens").getAsInt());
        assertThat(Rope2d.referenceGrid(s))
                .isEqualTo(new Scale(
                        derived.getAsJsonArray("rope_reference_grid_hw").get(0).getAsInt(),
                        derived.getAsJsonArray("rope_reference_grid_hw").get(1).getAsInt()));
        assertThat(ScaleSchedules.closestAspectRatio(cfg.get("h_div_w").getAsDouble()))
                .isEqualTo("1.000")
                .satisfies(r -> assertThat(Double.parseDouble(r))
                        .isEqualTo(derived.get("h_div_w_template").getAsDouble()));
    }

    @Test
    void releasedPresetsDerivedSizes() {
        InfinityConfig b2 = InfinityConfig.infinity2b();
        assertThat(b2.headDim()).isEqualTo(128);
        assertThat(b2.bitsPerToken()).isEqualTo(32);
        assertThat(b2.vocabSize()).isEqualTo(64);
        assertThat(b2.textPoolHeads()).isEqualTo(16);
        assertThat(b2.textPoolHeadDim()).isEqualTo(128);
        assertThat(b2.blocksPerChunk()).isEqualTo(4);
        assertThat(b2.ffnHidden()).isEqualTo(InfinityConfig.ffnHiddenFor(2048, 4));
        assertThat(InfinityWeights.blockPrefix(b2, 0)).isEqualTo("block_chunks.0.module.0.");
        assertThat(InfinityWeights.blockPrefix(b2, 31)).isEqualTo("block_chunks.7.module.3.");
        assertThatThrownBy(() -> InfinityWeights.blockPrefix(b2, 32)).isInstanceOf(IndexOutOfBoundsException.class);

        InfinityConfig b8 = TestConfigs.infinity8bLayout();
        assertThat(b8.headDim()).isEqualTo(128);
        assertThat(b8.bitsPerToken()).isEqualTo(56); // 2x2 patchify of 14-bit codes
        assertThat(b8.vocabSize()).isEqualTo(112);
        assertThat(b8.textPoolHeads()).isEqualTo(16);
        assertThat(b8.textPoolHeadDim()).isEqualTo(224);
        assertThat(b8.blocksPerChunk()).isEqualTo(5);
        assertThat(b8.ffnHidden())
                .isEqualTo(InfinityConfig.ffnHiddenFor(3584, 4))
                .isEqualTo(14336);
        assertThat(InfinityWeights.blockPrefix(b8, 39)).isEqualTo("block_chunks.7.module.4.");
    }

    @Test
    void ffnRuleRoundsHalfToEvenLikePython() {
        assertThat(InfinityConfig.ffnHiddenFor(128, 4)).isEqualTo(512);
        assertThat(InfinityConfig.ffnHiddenFor(4608, 4)).isEqualTo(18432);
        assertThat(InfinityConfig.ffnHiddenFor(160, 4)).isEqualTo(512); // round(2.5) = 2
        assertThat(InfinityConfig.ffnHiddenFor(224, 4)).isEqualTo(1024); // round(3.5) = 4
        assertThat(InfinityConfig.ffnHiddenFor(100, 4)).isEqualTo(512); // round(1.5625) = 2
    }

    @Test
    void validationNamesTheRule() {
        InfinityConfig base = InfinityConfig.goldenSet1();
        assertThatThrownBy(() -> base.toBuilder().embedDim(129).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedDim 129 is not divisible by numHeads 2");
        assertThatThrownBy(() -> base.toBuilder().embedDim(132).numHeads(6).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Head dimension 22")
                .hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> base.toBuilder().depth(3).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("depth 3 is not divisible by blockChunks 2");
        assertThatThrownBy(() -> base.toBuilder().textChannels(200).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("textChannels 200 is not a multiple of 128");
        assertThatThrownBy(() -> base.toBuilder().textChannels(384).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedDim 128 is not divisible by the 3 text-pool heads");
        assertThatThrownBy(() -> base.toBuilder().normEps(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("normEps must be positive");
        assertThatThrownBy(() -> base.toBuilder().rope2dNormalizedByHw(1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rope2dNormalizedByHw 1 is not supported");
        assertThatThrownBy(() -> base.toBuilder().codebookDim(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("codebookDim must be at least 1, got 0");
        assertThatThrownBy(() -> InfinityConfig.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("depth must be at least 1");
    }

    @Test
    void builderMakesToyVariantsInOneLine() {
        InfinityConfig toy = InfinityConfig.goldenSet1().toBuilder()
                .depth(4)
                .embedDim(64)
                .mlpRatio(4)
                .build();
        assertThat(toy.depth()).isEqualTo(4);
        assertThat(toy.blocksPerChunk()).isEqualTo(2);
        assertThat(toy.ffnHidden()).isEqualTo(256);
        assertThat(toy.headDim()).isEqualTo(32);
        assertThat(toy.textPoolHeadDim()).isEqualTo(32);
        assertThat(InfinityConfig.goldenSet1().toBuilder().build()).isEqualTo(InfinityConfig.goldenSet1());
    }

    @Test
    void requireCompatibleChecksLevelsAndRopeGrid() {
        InfinityConfig c = InfinityConfig.goldenSet1();
        int[][] sixteen = new int[16][];
        for (int k = 0; k < 16; k++) {
            sixteen[k] = new int[] {k + 1, k + 1};
        }
        assertThatThrownBy(() -> c.requireCompatible(ScaleSchedule.of(sixteen)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 scales but the model has only 15 level-embedding rows");
        assertThatThrownBy(() -> c.requireCompatible(ScaleSchedule.of(new int[] {1, 1}, new int[] {129, 129})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("129x129 exceeds the 128x128 angle grid");
        assertThat(Rope2d.of(c.requireCompatible(ScaleSchedules.official("1.000", "1M")), c.headDim())
                        .half())
                .isEqualTo(32);
    }

    @Test
    void jsonRoundTripIsStrict() {
        for (InfinityConfig c : new InfinityConfig[] {
            InfinityConfig.goldenSet1(), InfinityConfig.infinity2b(), TestConfigs.infinity8bLayout()
        }) {
            assertThat(InfinityConfig.fromJson(c.toJson())).isEqualTo(c);
        }
        String json = InfinityConfig.goldenSet1().toJson();
        assertThat(json).contains("\"embed_dim\":128", "\"text_maxlen\":16", "\"apply_spatial_patchify\":false");
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();

        JsonObject extra = o.deepCopy();
        extra.addProperty("mlp_ratio", 4.0);
        assertThatThrownBy(() -> InfinityConfig.fromJson(extra.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("unknown field(s) [mlp_ratio]");
        JsonObject missing = o.deepCopy();
        missing.remove("depth");
        assertThatThrownBy(() -> InfinityConfig.fromJson(missing.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("lacks field(s) [depth]");
        JsonObject fractional = o.deepCopy();
        fractional.addProperty("depth", 2.5);
        assertThatThrownBy(() -> InfinityConfig.fromJson(fractional.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("'depth' must be an integer, got 2.5");
        JsonObject stringBool = o.deepCopy();
        stringBool.addProperty("cos_attn", "true");
        assertThatThrownBy(() -> InfinityConfig.fromJson(stringBool.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("'cos_attn' must be true or false");
        JsonObject invalid = o.deepCopy();
        invalid.addProperty("embed_dim", 129);
        assertThatThrownBy(() -> InfinityConfig.fromJson(invalid.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("embedDim 129 is not divisible by numHeads 2");
        assertThatThrownBy(() -> InfinityConfig.fromJson("[1]"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("must be an object");
        assertThatThrownBy(() -> InfinityConfig.fromJson("{\"depth\":"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("malformed");
    }
}
