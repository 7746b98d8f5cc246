package dev.arbooth.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.runtime.Device;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden parity of the Infinity and VAE graphs when they come from the on-disk cache: a cold run fills the
 * cache, a run with a fresh cache on the same directory emits nothing, passes the same golden checks ({@link
 * OrtGoldenTest#assertGoldenSampling}) and gives bit-for-bit the raw logits of the run without a cache.
 */
class GraphCacheGoldenTest {
    @TempDir
    Path dir;

    @Test
    void goldenSamplingOnCachedGraphsIsIdenticalToEmittedGraphs() {
        List<float[]> uncached = OrtGoldenTest.assertGoldenSampling(SessionFactory.cpu(1));

        SessionFactory cold = SessionFactory.create(Device.cpu(1), GraphCache.at(dir));
        OrtGoldenTest.assertGoldenSampling(cold);
        int graphs = cold.graphCache().emissions();
        assertThat(graphs).as("prologue + 7 steps + decoder").isEqualTo(1 + 7 + 1);
        assertThat(cold.graphCache().hits()).isZero();

        SessionFactory warm = SessionFactory.create(Device.cpu(1), GraphCache.at(dir));
        List<float[]> cached = OrtGoldenTest.assertGoldenSampling(warm);
        assertThat(warm.graphCache().emissions())
                .as("graphs emitted on the second creation")
                .isZero();
        assertThat(warm.graphCache().hits()).isEqualTo(graphs);
        assertThat(cached).hasSameSizeAs(uncached);
        for (int k = 0; k < cached.size(); k++) {
            assertThat(cached.get(k)).as("raw logits of scale %d", k).containsExactly(uncached.get(k));
        }
    }
}
