package dev.arbooth.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeededRandomTest {
    @Test
    void splitMixFinaliserMatchesTheReference() {
        // SplitMix64 seeded with 0: its first output is mix64(0 + GAMMA) = 0xE220A8397B1DCDAF.
        assertThat(SeededRandom.mix64(0x9E3779B97F4A7C15L)).isEqualTo(0xE220A8397B1DCDAFL);
    }

    @Test
    void xoshiroCoreMatchesTheReferenceVector() {
        // The reference implementation from state {1, 2, 3, 4}.
        SeededRandom r = SeededRandom.ofState(1, 2, 3, 4);
        assertThat(new long[] {r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong()})
                .containsExactly(11520L, 0L, 1509978240L, 1215971899390074240L);
    }

    @Test
    void seededStreamsArePinned() {
        // Values from an independent (Python) implementation of the documented seeding procedure; they must
        // never change, or seeds stop reproducing images across versions.
        assertThat(first3(SeededRandom.of(0)))
                .containsExactly(-336637510552009408L, 8650457082529208451L, 3032169436225125478L);
        assertThat(first3(SeededRandom.of(20250601L)))
                .containsExactly(4988373145535372520L, 6884756715611381432L, -3139743361107819527L);
        assertThat(first3(SeededRandom.of(20250601L, 1)))
                .containsExactly(5614173240355954185L, -8050392120636570449L, -824745624161611782L);
        assertThat(first3(SeededRandom.of(-1L, 7)))
                .containsExactly(-3307446632000735904L, 8431219328061659561L, -7911031790349939331L);
        SeededRandom r = SeededRandom.of(20250601L);
        for (int i = 0; i < 999; i++) {
            r.nextLong();
        }
        assertThat(r.nextLong()).isEqualTo(-6481359612532395361L);
    }

    @Test
    void resetRestartsAndDoublesAreInTheUnitInterval() {
        SeededRandom r = SeededRandom.of(42, 3);
        assertThat(r.seed()).isEqualTo(42);
        assertThat(r.stream()).isEqualTo(3);
        double[] first = new double[1000];
        for (int i = 0; i < first.length; i++) {
            first[i] = r.nextDouble();
            assertThat(first[i]).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
        }
        r.reset();
        for (double v : first) {
            assertThat(r.nextDouble()).isEqualTo(v);
        }
        assertThat(SeededRandom.of(42, 3).nextLong())
                .isNotEqualTo(SeededRandom.of(42, 4).nextLong());
    }

    private static long[] first3(SeededRandom r) {
        return new long[] {r.nextLong(), r.nextLong(), r.nextLong()};
    }
}
