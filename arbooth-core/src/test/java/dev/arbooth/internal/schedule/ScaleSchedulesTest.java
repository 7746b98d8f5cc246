package dev.arbooth.internal.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.arbooth.config.PixelBudget;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScaleSchedulesTest {
    private static final String[] RATIOS = {
        "1.000", "1.250", "0.800", "1.333", "0.750", "1.500", "0.666", "1.750", "0.571", "2.000", "0.500", "2.500",
        "0.400", "3.000", "0.333"
    };

    @Test
    void shippedTableEqualsTheOfficialGoldenTableWithoutTheTimeAxis() throws IOException {
        JsonObject table = JsonParser.parseString(Files.readString(Golden.golden("infinity-schedules.json")))
                .getAsJsonObject()
                .getAsJsonObject("table");
        assertThat(new ArrayList<>(table.keySet())).containsExactly(RATIOS);
        assertThat(ScaleSchedules.aspectRatios()).containsExactly(RATIOS);
        int entries = 0;
        for (Map.Entry<String, JsonElement> ratio : table.entrySet()) {
            JsonObject byBudget = ratio.getValue().getAsJsonObject();
            assertThat(byBudget.keySet()).containsExactly("0.06M", "0.25M", "0.60M", "1M");
            for (Map.Entry<String, JsonElement> pn : byBudget.entrySet()) {
                JsonObject golden = pn.getValue().getAsJsonObject();
                OfficialSchedule e = ScaleSchedules.lookup(ratio.getKey(), pn.getKey());
                assertThat(e.aspectRatio()).isEqualTo(ratio.getKey());
                assertThat(e.budget().label()).isEqualTo(pn.getKey());
                JsonArray pixel = golden.getAsJsonArray("pixel");
                assertThat(new int[] {e.pixelHeight(), e.pixelWidth()})
                        .as("pixel size of %s/%s", ratio.getKey(), pn.getKey())
                        .containsExactly(pixel.get(0).getAsInt(), pixel.get(1).getAsInt());
                List<Scale> expected = new ArrayList<>();
                for (JsonElement thw : golden.getAsJsonArray("scales")) {
                    JsonArray a = thw.getAsJsonArray();
                    expected.add(new Scale(a.get(1).getAsInt(), a.get(2).getAsInt())); // (t, h, w): t dropped
                }
                assertThat(e.schedule().scales())
                        .as("scales of %s/%s", ratio.getKey(), pn.getKey())
                        .isEqualTo(expected);
                // every official schedule is a prefix of its ratio's 1M schedule, and is found as such
                assertThat(ScaleSchedules.officialAspectRatioOf(e.schedule())).contains(ratio.getKey());
                entries++;
            }
        }
        assertThat(entries).isEqualTo(60);
    }

    @Test
    void closestAspectRatioFollowsTheOfficialArgmin() {
        assertThat(ScaleSchedules.closestAspectRatio(1.0)).isEqualTo("1.000");
        assertThat(ScaleSchedules.closestAspectRatio(0.75)).isEqualTo("0.750");
        assertThat(ScaleSchedules.closestAspectRatio(4.0 / 3)).isEqualTo("1.333");
        assertThat(ScaleSchedules.closestAspectRatio(2.0 / 3)).isEqualTo("0.666");
        assertThat(ScaleSchedules.closestAspectRatio(1.2)).isEqualTo("1.250");
        // 1.125 is exactly halfway between 1.000 and 1.250: numpy's argmin keeps the first in official order
        assertThat(ScaleSchedules.closestAspectRatio(1.125)).isEqualTo("1.000");
        assertThat(ScaleSchedules.closestAspectRatio(10)).isEqualTo("3.000");
        assertThat(ScaleSchedules.closestAspectRatio(0.01)).isEqualTo("0.333");
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> ScaleSchedules.closestAspectRatio(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("positive and finite");
        }
    }

    @Test
    void lookupByNumbersAndByKeys() {
        OfficialSchedule e = ScaleSchedules.lookup(768.0 / 1024, PixelBudget.MP_1);
        assertThat(e.aspectRatio()).isEqualTo("0.750");
        assertThat(e.hDivW()).isEqualTo(0.75);
        assertThat(e.schedule().size()).isEqualTo(13);
        assertThat(e.schedule().last()).isEqualTo(new Scale(54, 72));
        assertThat(new int[] {e.pixelHeight(), e.pixelWidth()}).containsExactly(864, 1152);
        assertThat(ScaleSchedules.official(1.0, PixelBudget.MP_0_06))
                .isEqualTo(ScaleSchedules.official("1.000", "0.06M"));
        assertThat(PixelBudget.fromLabel("0.25M")).isEqualTo(PixelBudget.MP_0_25);
        assertThatThrownBy(() -> ScaleSchedules.lookup("1.3", "1M"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown official aspect ratio '1.3'")
                .hasMessageContaining("1.333");
        assertThatThrownBy(() -> ScaleSchedules.official("1.000", "2M"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown pixel budget '2M'");
    }

    @Test
    void set1ScheduleMatchesConfigAndTeacherForcingInputs() throws IOException {
        JsonObject derived = JsonParser.parseString(Files.readString(Golden.golden("infinity-set1/config.json")))
                .getAsJsonObject()
                .getAsJsonObject("derived");
        ScaleSchedule s =
                ScaleSchedules.official(derived.get("h_div_w_template").getAsDouble(), PixelBudget.MP_0_06);
        assertThat(s.totalTokens())
                .isEqualTo(derived.get("L_tokens").getAsInt())
                .isEqualTo(521);
        assertThat(s.size()).isEqualTo(derived.get("num_scales").getAsInt());
        assertThat(s.offsets()).containsExactly(ints(derived.getAsJsonArray("scale_token_offsets")));
        try (SafeTensors in = Golden.open("infinity-set1/tf_inputs.safetensors")) {
            long[] thw = in.get("scale_schedule").toLongArray();
            assertThat(in.shape("scale_schedule")).containsExactly(s.size(), 3);
            long[] expected = new long[3 * s.size()];
            for (int k = 0; k < s.size(); k++) {
                expected[3 * k] = 1;
                expected[3 * k + 1] = s.get(k).h();
                expected[3 * k + 2] = s.get(k).w();
            }
            assertThat(thw).containsExactly(expected);
            long[] perToken = in.get("scale_index_per_token").toLongArray();
            assertThat(Arrays.stream(perToken).mapToInt(Math::toIntExact).toArray())
                    .containsExactly(s.scaleIndexPerToken());
        }
    }

    @Test
    void customSchedulesMustStartAt1x1AndNeverShrink() {
        assertThatThrownBy(() -> ScaleSchedule.of(new int[] {2, 2}, new int[] {4, 4}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with the 1x1 scale")
                .hasMessageContaining("2x2");
        assertThatThrownBy(() -> ScaleSchedule.of(new int[] {1, 1}, new int[] {4, 4}, new int[] {2, 8}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Scale 2 (2x8) is smaller than scale 1 (4x4)");
        assertThatThrownBy(() -> ScaleSchedule.of(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one scale");
        // repeats and non-square growth are allowed
        ScaleSchedule ok = ScaleSchedule.of(new int[] {1, 1}, new int[] {1, 1}, new int[] {2, 3}, new int[] {2, 5});
        assertThat(ok.offsets()).containsExactly(0, 1, 2, 8, 18);
        assertThat(ok.prefix(3).isPrefixOf(ok)).isTrue();
        assertThat(ok.isPrefixOf(ok.prefix(3))).isFalse();
        assertThat(ok.hDivW()).isEqualTo(0.4);
        assertThat(ScaleSchedules.officialAspectRatioOf(ok)).isEmpty();
    }

    private static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
