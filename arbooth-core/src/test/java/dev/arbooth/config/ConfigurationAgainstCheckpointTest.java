package dev.arbooth.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.WeightBindingException;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.internal.weights.T5Weights;
import dev.arbooth.internal.weights.VaeWeights;
import dev.arbooth.testing.Golden;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 7: a configuration is checked against the checkpoint it came with before its expected
 * tensors are listed. With the largest possible depth, layer count or block count, listing them would take
 * tens of gigabytes (the old behaviour: minutes, then an {@link OutOfMemoryError}); they are refused after
 * listing a few more tensors than the checkpoint holds.
 */
class ConfigurationAgainstCheckpointTest {
    @Test
    void anInfinityConfigurationOfAbsurdDepthIsRefusedBeforeListingItsTensors() {
        InfinityConfig huge = InfinityConfig.goldenSet1().toBuilder()
                .depth(Integer.MAX_VALUE)
                .blockChunks(1)
                .build();
        try (SafeTensors st = Golden.open("infinity-set1/transformer_weights.safetensors")) {
            assertThatThrownBy(() -> InfinityWeights.bind(huge, st))
                    .isInstanceOf(WeightBindingException.class)
                    .hasMessageContaining("depth " + Integer.MAX_VALUE)
                    .hasMessageContaining("the configuration implies more than")
                    .hasMessageContaining("transformer_weights.safetensors holds "
                            + st.names().size());
        }
    }

    @Test
    void aT5ConfigurationOfAbsurdLayerCountIsRefusedBeforeListingItsTensors() {
        T5Config golden = T5Config.goldenSet1();
        T5Config huge = new T5Config(
                golden.dModel(),
                golden.dKv(),
                golden.dFf(),
                golden.numHeads(),
                Integer.MAX_VALUE,
                golden.vocabSize(),
                golden.relativeAttentionNumBuckets(),
                golden.relativeAttentionMaxDistance(),
                golden.layerNormEpsilon(),
                golden.textMaxLength());
        try (SafeTensors st = Golden.open("t5-set1/model.safetensors")) {
            assertThatThrownBy(() -> T5Weights.bind(huge, st))
                    .isInstanceOf(WeightBindingException.class)
                    .hasMessageContaining("the configuration implies more than");
        }
    }

    @Test
    void aVaeConfigurationOfAbsurdBlockCountIsRefusedBeforeListingItsTensors() {
        VaeConfig golden = VaeConfig.goldenSet1();
        VaeConfig huge = new VaeConfig(
                golden.baseChannels(),
                golden.channelMultipliers(),
                Integer.MAX_VALUE - 1,
                golden.codebookDim(),
                golden.patchSize(),
                golden.normEps());
        try (SafeTensors st = Golden.open("infinity-set1/vae_weights.safetensors")) {
            assertThatThrownBy(() -> VaeWeights.bind(huge, st))
                    .isInstanceOf(WeightBindingException.class)
                    .hasMessageContaining("the configuration implies more than");
            assertThatThrownBy(() -> VaeWeights.normalize(huge, st)).isInstanceOf(WeightBindingException.class);
        }
    }
}
