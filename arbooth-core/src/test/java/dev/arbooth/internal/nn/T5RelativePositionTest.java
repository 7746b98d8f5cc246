package dev.arbooth.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.testing.Golden;
import org.junit.jupiter.api.Test;

class T5RelativePositionTest {
    @Test
    void bucketTableEqualsTheGoldenOne() {
        try (SafeTensors g = Golden.open("t5-set1/golden.safetensors")) {
            assertThat(g.shape("relative_position_bucket")).containsExactly(16, 16);
            assertThat(T5RelativePosition.buckets(16, 32, 128))
                    .containsExactly(g.get("relative_position_bucket").toLongArray());
        }
    }

    /** The README's table of r = key - query ranges per bucket (32 buckets, max distance 128). */
    @Test
    void bucketsFollowTheReadmeTable() {
        int[][] ranges = { // bucket, lowest r, highest r
            {15, -100_000, -91},
            {14, -90, -64},
            {13, -63, -46},
            {12, -45, -32},
            {11, -31, -23},
            {10, -22, -16},
            {9, -15, -12},
            {8, -11, -8},
            {0, 0, 0},
            {24, 8, 11},
            {25, 12, 15},
            {26, 16, 22},
            {27, 23, 31},
            {28, 32, 45},
            {29, 46, 63},
            {30, 64, 90},
            {31, 91, 100_000}
        };
        for (int[] r : ranges) {
            for (int rel = r[1]; rel <= r[2]; rel++) {
                assertThat(T5RelativePosition.bucket(rel, 32, 128))
                        .as("r=%d", rel)
                        .isEqualTo(r[0]);
            }
        }
        for (int n = 1; n <= 7; n++) {
            assertThat(T5RelativePosition.bucket(-n, 32, 128)).isEqualTo(n);
            assertThat(T5RelativePosition.bucket(n, 32, 128)).isEqualTo(16 + n);
        }
    }

    @Test
    void float32EvaluationAgreesWithFloat64OverLongRanges() {
        for (int[] cfg : new int[][] {{32, 128}, {64, 256}, {16, 20}}) {
            int nb = cfg[0] / 2;
            int maxExact = nb / 2;
            for (int rel = -5000; rel <= 5000; rel++) {
                int n = Math.abs(rel);
                int expected = rel > 0 ? nb : 0;
                if (n < maxExact) {
                    expected += n;
                } else {
                    expected += (int) Math.min(
                            nb - 1,
                            maxExact
                                    + (long) (Math.log(n / (double) maxExact)
                                            / Math.log(cfg[1] / (double) maxExact)
                                            * (nb - maxExact)));
                }
                assertThat(T5RelativePosition.bucket(rel, cfg[0], cfg[1]))
                        .as("r=%d buckets %d max %d", rel, cfg[0], cfg[1])
                        .isEqualTo(expected);
            }
        }
    }
}
