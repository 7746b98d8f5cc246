package dev.arbooth.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.internal.sampling.BitSamplerOptions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplingOptionsTest {
    @Test
    void defaultsAreArboothsInferenceSettings() {
        SamplingOptions d = SamplingOptions.defaults();
        assertThat(d.cfg()).containsExactly(4.0);
        assertThat(d.tau()).containsExactly(0.5);
        assertThat(d.topK()).isEqualTo(900);
        assertThat(d.topP()).isEqualTo(0.97);
        assertThat(d.seed()).isZero();
        assertThat(d.imagesPerPrompt()).isEqualTo(1);
        assertThat(d.returnScaleBits()).isFalse();
    }

    @Test
    void withersChangeOneFieldEach() {
        SamplingOptions d = SamplingOptions.defaults();
        SamplingOptions o = d.withCfg(3)
                .withTau(1)
                .withTopK(1)
                .withTopP(0)
                .withSeed(42)
                .withImagesPerPrompt(4)
                .withScaleBits(true);
        assertThat(o).isEqualTo(new SamplingOptions(List.of(3.0), List.of(1.0), 1, 0.0, 42, 4, true));
        assertThat(d).isEqualTo(SamplingOptions.defaults());
        assertThat(d.withSeed(1).withSeed(0)).isEqualTo(d);
    }

    @Test
    void convertsToTheBitSamplerOptions() {
        SamplingOptions o = SamplingOptions.defaults()
                .withCfgPerScale(List.of(1.0, 2.0, 3.0))
                .withSeed(-5)
                .withImagesPerPrompt(3);
        BitSamplerOptions b = BitSamplerOptions.of(o);
        assertThat(b).isEqualTo(new BitSamplerOptions(List.of(1.0, 2.0, 3.0), List.of(0.5), 900, 0.97, -5));
        assertThat(o.cfgAt(2)).isEqualTo(3.0);
        assertThat(o.tauAt(6)).isEqualTo(0.5);
        assertThatThrownBy(() -> o.cfgAt(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void perScaleListsMustMatchTheSchedule() {
        SamplingOptions o = SamplingOptions.defaults().withTauPerScale(List.of(1.0, 0.9, 0.8));
        assertThat(o.requireScales(3)).isSameAs(o);
        assertThatThrownBy(() -> o.requireScales(7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tau has 3 per-scale values")
                .hasMessageContaining("7 scales");
        SamplingOptions.defaults().requireScales(13);
    }

    @Test
    void invalidValuesAreRejectedWithTheirNames() {
        SamplingOptions d = SamplingOptions.defaults();
        assertThatThrownBy(() -> d.withCfg(-1)).hasMessageContaining("cfg (guidance scale)");
        assertThatThrownBy(() -> d.withCfg(Double.NaN)).hasMessageContaining("cfg");
        assertThatThrownBy(() -> d.withCfgPerScale(List.of())).hasMessageContaining("cfg needs one value");
        assertThatThrownBy(() -> d.withTau(0)).hasMessageContaining("tau (temperature) must be positive");
        assertThatThrownBy(() -> d.withTau(Double.POSITIVE_INFINITY)).hasMessageContaining("tau");
        assertThatThrownBy(() -> d.withTauPerScale(List.of())).hasMessageContaining("tau needs one value");
        assertThatThrownBy(() -> d.withTopK(-1)).hasMessageContaining("topK must be at least 0");
        assertThatThrownBy(() -> d.withTopP(1.5)).hasMessageContaining("topP must be in [0, 1]");
        assertThatThrownBy(() -> d.withTopP(Double.NaN)).hasMessageContaining("topP");
        assertThatThrownBy(() -> d.withImagesPerPrompt(0)).hasMessageContaining("imagesPerPrompt must be at least 1");
        assertThatThrownBy(() -> d.withCfgPerScale(Arrays.asList(1.0, null))).isInstanceOf(NullPointerException.class);
    }

    @Test
    void listsAreCopied() {
        java.util.ArrayList<Double> cfg = new java.util.ArrayList<>(List.of(2.0, 3.0));
        SamplingOptions o = SamplingOptions.defaults().withCfgPerScale(cfg);
        cfg.set(0, 100.0);
        assertThat(o.cfg()).containsExactly(2.0, 3.0);
    }

    @Test
    void guidesWhenSomeScaleHasGuidance() {
        assertThat(SamplingOptions.defaults().guides(7)).isTrue();
        assertThat(SamplingOptions.defaults().withCfg(1.0).guides(7)).isFalse();
        assertThat(SamplingOptions.defaults()
                        .withCfgPerScale(List.of(1.0, 1.0, 2.0))
                        .guides(3))
                .isTrue();
        assertThatThrownBy(() -> SamplingOptions.defaults()
                        .withCfgPerScale(List.of(1.0, 2.0))
                        .guides(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cfg has 2 per-scale values");
    }
}
