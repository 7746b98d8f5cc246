package dev.arbooth.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.WeightBindingException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.CheckpointFile;
import dev.arbooth.internal.format.Checkpoints;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import dev.arbooth.testing.TestAdapters;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseFingerprintTest {
    private static final InfinityConfig SET1 = InfinityConfig.goldenSet1();

    @TempDir
    Path dir;

    @Test
    void sameWeightsGiveTheSameFingerprintWhateverTheOrderOrFile() {
        Map<String, Tensor> weights = TestAdapters.set1Weights();
        BaseFingerprint a = BaseFingerprint.of(SET1, weights);
        assertThat(a.value()).matches("sha256:[0-9a-f]{64}");
        assertThat(TestAdapters.set1Fingerprint()).isEqualTo(a);

        List<String> names = new ArrayList<>(weights.keySet());
        Collections.reverse(names);
        Map<String, Tensor> reversed = new LinkedHashMap<>();
        names.forEach(n -> reversed.put(n, copy(weights.get(n))));
        assertThat(BaseFingerprint.of(SET1, reversed)).isEqualTo(a);

        // re-written with metadata: same tensors, same fingerprint
        Path rewritten = dir.resolve("rewritten.safetensors");
        dev.arbooth.internal.format.SafeTensors.write(rewritten, weights, Map.of("note", "converted"));
        try (CheckpointFile f = Checkpoints.open(rewritten)) {
            assertThat(BaseFingerprint.of(SET1, f.toMap())).isEqualTo(a);
        }
    }

    @Test
    void pthAndSafetensorsOfTheSameGoldenWeightsAgree() {
        BaseFingerprint fromSafetensors;
        BaseFingerprint fromPth;
        try (CheckpointFile st = Checkpoints.open(Golden.golden(TestAdapters.SET1_WEIGHTS));
                CheckpointFile pth = Checkpoints.open(Golden.golden("pth/transformer_weights.pth"))) {
            assertThat(Checkpoints.detect(pth.file())).isEqualTo(Checkpoints.Format.PYTORCH);
            fromSafetensors = BaseFingerprint.of(SET1, st.toMap());
            fromPth = BaseFingerprint.of(SET1, pth.toMap());
        }
        assertThat(fromPth).isEqualTo(fromSafetensors);
    }

    @Test
    void oneChangedValueOrBitChangesTheFingerprint() {
        Map<String, Tensor> weights = TestAdapters.set1Weights();
        BaseFingerprint a = BaseFingerprint.of(SET1, weights);
        for (String name : List.of("cfg_uncond", "block_chunks.1.module.0.ffn.fc2.bias", "head.bias")) {
            Map<String, Tensor> changed = new LinkedHashMap<>(weights);
            float[] v = weights.get(name).toFloatArray();
            int i = v.length - 1;
            v[i] = Math.nextUp(v[i]); // one ulp of one value
            changed.put(name, Tensor.ofFloats(v, weights.get(name).shape()));
            assertThat(BaseFingerprint.of(SET1, changed)).as(name).isNotEqualTo(a);
        }
    }

    @Test
    void storedDtypeIsPartOfTheIdentity() {
        // the same values widened to F64 are a different base (stored form is hashed, not widened values)
        Map<String, Tensor> weights = TestAdapters.set1Weights();
        BaseFingerprint a = BaseFingerprint.of(SET1, weights);
        Map<String, Tensor> widened = new LinkedHashMap<>(weights);
        Tensor t = weights.get("head.bias");
        double[] d = t.toDoubleArray();
        ByteBuffer b = ByteBuffer.allocate(d.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(d);
        widened.put("head.bias", Tensor.of(DType.F64, t.shape(), b));
        assertThat(BaseFingerprint.of(SET1, widened)).isNotEqualTo(a);
    }

    @Test
    void theConfigurationIsPartOfTheIdentity() {
        Map<String, Tensor> weights = TestAdapters.set1Weights();
        InfinityConfig eps = SET1.toBuilder().normEps(1e-5).build(); // same tensors, other math
        assertThat(BaseFingerprint.of(eps, weights)).isNotEqualTo(BaseFingerprint.of(SET1, weights));
    }

    @Test
    void checkpointsThatDoNotMatchTheConfigAreRejected() {
        Map<String, Tensor> weights = new LinkedHashMap<>(TestAdapters.set1Weights());
        weights.remove("head.bias");
        weights.put("extra", Tensor.ofFloats(new float[1], 1));
        assertThatThrownBy(() -> BaseFingerprint.of(SET1, weights))
                .isInstanceOf(WeightBindingException.class)
                .hasMessageContaining("head.bias")
                .hasMessageContaining("extra");
    }

    @Test
    void parseAcceptsOnlyTheTextForm() {
        String v = "sha256:" + "0123456789abcdef".repeat(4);
        assertThat(BaseFingerprint.parse(v).value()).isEqualTo(v);
        assertThat(BaseFingerprint.parse(v)).hasToString(v).isEqualTo(BaseFingerprint.parse(v));
        for (String bad :
                new String[] {"", "sha256:", v.toUpperCase(java.util.Locale.ROOT), v + "0", "md5:" + v.substring(7)}) {
            assertThatThrownBy(() -> BaseFingerprint.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("64 lower-case hex digits");
        }
    }

    private static Tensor copy(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate((int) t.byteSize());
        b.put(t.data()).flip();
        return Tensor.of(t.dtype(), t.shape(), b);
    }
}
