package dev.arbooth.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.PixelBudget;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.schedule.ScaleSchedules;
import dev.arbooth.testing.Golden;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Rope2dTest {
    /** Distance in units in the last place between two finite floats (0 for +0 and -0). */
    static long ulps(float a, float b) {
        int ia = Float.floatToIntBits(a);
        int ib = Float.floatToIntBits(b);
        long la = ia < 0 ? (long) Integer.MIN_VALUE - ia : ia;
        long lb = ib < 0 ? (long) Integer.MIN_VALUE - ib : ib;
        return Math.abs(la - lb);
    }

    @Test
    void set1RowsEqualTheOfficialTableTo1Ulp() {
        // README 6: "RoPE table: exact to 1 ulp". The angles are bit-identical; cos/sin here are the float32
        // roundings of double cos/sin while PyTorch's float32 kernel (SLEEF, 1 ulp) rounds some values the
        // other way. Measured: max 1 ulp (5.96e-8 abs), on 1184 of 16672 cos and 704 of 16672 sin values.
        InfinityConfig c = InfinityConfig.goldenSet1();
        ScaleSchedule s = ScaleSchedule.official("1.000", "0.06M");
        Rope2d rope = Rope2d.of(c.requireCompatible(s), c.headDim());
        assertThat(rope.referenceGrid()).isEqualTo(new Scale(64, 64)); // config.json rope_reference_grid_hw
        assertThat(rope.half()).isEqualTo(32);
        try (SafeTensors f = Golden.open("infinity-set1/tf_forward.safetensors")) {
            assertThat(f.shape("rope_cos")).containsExactly(521, 32);
            assertThat(f.shape("rope_sin")).containsExactly(521, 32);
            float[] goldCos = f.get("rope_cos").toFloatArray();
            float[] goldSin = f.get("rope_sin").toFloatArray();
            float[] cos = rope.cos();
            float[] sin = rope.sin();
            long maxUlp = 0;
            int differing = 0;
            for (int i = 0; i < cos.length; i++) {
                maxUlp = Math.max(maxUlp, Math.max(ulps(cos[i], goldCos[i]), ulps(sin[i], goldSin[i])));
                differing += (cos[i] != goldCos[i] ? 1 : 0) + (sin[i] != goldSin[i] ? 1 : 0);
            }
            double maxAbs = Math.max(Golden.maxAbsDiff(cos, goldCos), Golden.maxAbsDiff(sin, goldSin));
            System.out.printf(
                    "Rope2d vs golden rope_cos/rope_sin (521x32): max abs %.3g, max %d ulp, %d of %d values differ%n",
                    maxAbs, maxUlp, differing, 2 * cos.length);
            assertThat(maxUlp).isLessThanOrEqualTo(1);
            assertThat(maxAbs).isLessThanOrEqualTo(1.2e-7);
            // KV-cached inference takes the rows of scale k at its offset
            for (int k = 0; k < s.size(); k++) {
                int from = s.offset(k) * 32;
                int to = s.offset(k + 1) * 32;
                assertThat(rope.cos(k)).isEqualTo(Arrays.copyOfRange(cos, from, to));
                assertThat(rope.sin(k)).isEqualTo(Arrays.copyOfRange(sin, from, to));
                assertThat(Golden.maxAbsDiff(rope.cos(k), Arrays.copyOfRange(goldCos, from, to)))
                        .isLessThanOrEqualTo(1.2e-7);
            }
        }
        // SOS token at (0, 0): cos 1, sin 0
        assertThat(rope.rowPosition(0)).isZero();
        assertThat(rope.colPosition(0)).isZero();
        float[] sosCos = rope.cos(0);
        float[] sosSin = rope.sin(0);
        for (int j = 0; j < 32; j++) {
            assertThat(sosCos[j]).isEqualTo(1f);
            assertThat(sosSin[j]).isEqualTo(0f);
        }
    }

    @Test
    void everyBudgetSharesThe1MTableOfItsAspectRatio() {
        for (String ratio : ScaleSchedules.aspectRatios()) {
            Rope2d full = Rope2d.of(ScaleSchedule.official(ratio, "1M"), 64);
            for (PixelBudget pn : PixelBudget.values()) {
                Rope2d r = Rope2d.of(ScaleSchedule.official(ratio, pn.label()), 64);
                assertThat(r.referenceGrid()).isEqualTo(full.referenceGrid());
                float[] prefix = Arrays.copyOf(full.cos(), r.cos().length);
                assertThat(r.cos()).as("%s %s", ratio, pn).isEqualTo(prefix);
            }
        }
    }

    @Test
    void positionsRoundHalfToEvenFor1333And0750() {
        // 1.333, 0.06M: (1,1),(2,2),(4,3),(8,6),(12,9),(16,12),(20,15); reference = 1M final grid 72x54.
        ScaleSchedule s = ScaleSchedule.official("1.333", "0.06M");
        Rope2d rope = Rope2d.of(s, 64);
        assertThat(rope.referenceGrid()).isEqualTo(new Scale(72, 54));
        // scale 5 = 16x12: 72/16 = 54/12 = 4.5, so r*4.5 hits .5 for odd r and rounds to the even neighbour
        int[][] rcExpected = {{1, 1, 4, 4}, {3, 3, 14, 14}, {5, 5, 22, 22}, {7, 7, 32, 32}, {15, 11, 68, 50}};
        for (int[] e : rcExpected) {
            int token = s.offset(5) + e[0] * 12 + e[1];
            assertThat(new int[] {rope.rowPosition(token), rope.colPosition(token)})
                    .as("1.333 scale 16x12 (r=%d, c=%d)", e[0], e[1])
                    .containsExactly(e[2], e[3]);
        }
        // scale 2 = 4x3: 72/4 = 54/3 = 18
        int t = s.offset(2) + 1 * 3 + 2;
        assertThat(new int[] {rope.rowPosition(t), rope.colPosition(t)}).containsExactly(18, 36);
        // scale 6 = 20x15: 3.6 is not exact in float32, 5 * 3.6f still rounds to 18
        t = s.offset(6) + 5 * 15 + 5;
        assertThat(new int[] {rope.rowPosition(t), rope.colPosition(t)}).containsExactly(18, 18);

        // 0.750, 0.06M: (1,1),(2,2),(3,4),(6,8),(9,12),(12,16),(15,20); reference 54x72.
        ScaleSchedule p = ScaleSchedule.official("0.750", "0.06M");
        Rope2d portrait = Rope2d.of(p, 64);
        assertThat(portrait.referenceGrid()).isEqualTo(new Scale(54, 72));
        int[][] landscape = {{1, 1, 4, 4}, {3, 15, 14, 68}, {11, 13, 50, 58}, {11, 9, 50, 40}};
        for (int[] e : landscape) {
            int token = p.offset(5) + e[0] * 16 + e[1];
            assertThat(new int[] {portrait.rowPosition(token), portrait.colPosition(token)})
                    .as("0.750 scale 12x16 (r=%d, c=%d)", e[0], e[1])
                    .containsExactly(e[2], e[3]);
        }
        t = p.offset(2) + 2 * 4 + 3;
        assertThat(new int[] {portrait.rowPosition(t), portrait.colPosition(t)}).containsExactly(36, 54);
        // the angle rule: column j < 16 uses row_pos, j >= 16 col_pos
        float[] inv = Rope2d.invFreq(64);
        float[] cos = portrait.cos();
        int token = p.offset(5) + 3 * 16 + 15; // (14, 68)
        assertThat(cos[token * 32 + 2]).isEqualTo((float) Math.cos(14f * inv[2]));
        assertThat(cos[token * 32 + 16 + 2]).isEqualTo((float) Math.cos(68f * inv[2]));
    }

    @Test
    void positionRuleIsFloat32ThenHalfEven() {
        assertThat(Rope2d.position(1, 16, 72)).isEqualTo(4); // 4.5 -> 4
        assertThat(Rope2d.position(3, 16, 72)).isEqualTo(14); // 13.5 -> 14
        assertThat(Rope2d.position(7, 16, 72)).isEqualTo(32); // 31.5 -> 32
        assertThat(Rope2d.position(5, 12, 64)).isEqualTo(27); // 26.67 -> 27
        assertThat(Rope2d.position(0, 1, 64)).isZero();
    }

    @Test
    void invFreqIsFloat32() {
        float[] inv = Rope2d.invFreq(64);
        assertThat(inv).hasSize(16);
        assertThat(inv[0]).isEqualTo(1f);
        assertThat(inv[8]).isEqualTo(1f / (float) Math.pow(10000, 0.5f)); // 10000^(16/32)
        for (int i = 1; i < inv.length; i++) {
            assertThat(inv[i]).isLessThan(inv[i - 1]);
        }
        assertThat(Rope2d.invFreq(128)).hasSize(32);
        assertThatThrownBy(() -> Rope2d.invFreq(6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiple of 4, got 6");
    }

    @Test
    void referenceGridOfCustomSchedules() {
        // official, cut short: still the official 1M grid
        assertThat(Rope2d.referenceGrid(ScaleSchedule.official("1.000", "0.25M").prefix(3)))
                .isEqualTo(new Scale(64, 64));
        // custom 1:1 toy schedule: borrows the 1:1 1M grid, so an 8x8 scale sits on every 8th position
        ScaleSchedule toy = ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {4, 4}, new int[] {8, 8});
        Rope2d r = Rope2d.of(toy, 16);
        assertThat(r.referenceGrid()).isEqualTo(new Scale(64, 64));
        int last = toy.offset(3) + 7 * 8 + 3;
        assertThat(new int[] {r.rowPosition(last), r.colPosition(last)}).containsExactly(56, 24);
        // custom 4:3 within tolerance of 1.333: its 1M grid
        assertThat(Rope2d.referenceGrid(ScaleSchedule.of(new int[] {1, 1}, new int[] {4, 3}, new int[] {8, 6})))
                .isEqualTo(new Scale(72, 54));
        // ratio 5 is far from every official ratio: the schedule's own final grid
        ScaleSchedule tall = ScaleSchedule.of(new int[] {1, 1}, new int[] {5, 1}, new int[] {10, 2});
        assertThat(Rope2d.referenceGrid(tall)).isEqualTo(new Scale(10, 2));
        Rope2d tallRope = Rope2d.of(tall, 8);
        int lastTall = tall.totalTokens() - 1;
        assertThat(new int[] {tallRope.rowPosition(lastTall), tallRope.colPosition(lastTall)})
                .containsExactly(9, 1);
        // 1:1 but larger than the 1M grid: its own final grid
        ScaleSchedule big = ScaleSchedule.of(new int[] {1, 1}, new int[] {96, 96});
        assertThat(Rope2d.referenceGrid(big)).isEqualTo(new Scale(96, 96));
        // beyond the 128x128 angle grid: refused
        ScaleSchedule huge = ScaleSchedule.of(new int[] {1, 1}, new int[] {130, 130});
        assertThatThrownBy(() -> Rope2d.of(huge, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("130x130 exceeds the 128x128 angle grid");
        // an explicit reference grid
        assertThat(Rope2d.of(toy, new Scale(8, 8), 8).colPosition(toy.totalTokens() - 1))
                .isEqualTo(7);
    }
}
