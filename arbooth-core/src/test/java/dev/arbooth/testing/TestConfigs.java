package dev.arbooth.testing;

import dev.arbooth.config.InfinityConfig;

/** Configurations the tests describe but the library does not offer as presets. */
public final class TestConfigs {
    private TestConfigs() {}

    /**
     * The tensor layout of Infinity-8B as released ({@code infinity_8b_weights/} with {@code
     * infinity_vae_d56_f8_14_patchify.pth}): depth 40, width 3584, 28 heads, FFN 14336, 8 block chunks, 14-bit
     * codes with the 2×2 spatial patchify (56 bits per token). Sources (FoundationVision/Infinity): {@code
     * tools/run_infinity.py} {@code load_transformer} for {@code model_type='infinity_8b'}; the README's 8B
     * command ({@code vae_type=14}, {@code apply_spatial_patchify=1}). {@code InfinityConfig} has no preset for it
     * because the patchify is not implemented (no reference tensors cover it); the layout is still what an 8B
     * checkpoint holds.
     */
    public static InfinityConfig infinity8bLayout() {
        return InfinityConfig.builder()
                .depth(40)
                .embedDim(3584)
                .numHeads(28)
                .mlpRatio(4)
                .textChannels(2048)
                .textMaxLength(512)
                .codebookDim(14)
                .spatialPatchify(true)
                .blockChunks(8)
                .build();
    }
}
