package dev.arbooth.internal.schedule;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.arbooth.config.PixelBudget;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The official scale-schedule table of Infinity: for each of 15 aspect ratios (h/w) and each {@link
 * PixelBudget}, the token grids from 1×1 to the final grid and the image size they give.
 *
 * <p>The table ships with the library ({@code scale-schedules.json} beside this class, generated from the
 * official {@code dynamic_resolution_h_w} with the time axis dropped). As in the official code, an
 * arbitrary h/w is mapped to the nearest official ratio ({@link #closestAspectRatio(double)}).
 *
 * <pre>{@code
 * ScaleSchedule s = ScaleSchedules.official(1.0, PixelBudget.MP_0_06);   // 1x1 ... 16x16, 521 tokens
 * OfficialSchedule e = ScaleSchedules.lookup(768.0 / 1024, PixelBudget.MP_1);  // "0.750": 54x72, 864x1152 px
 * }</pre>
 *
 * <p>Custom schedules are made with {@link ScaleSchedule#of(int[]...)}.
 */
public final class ScaleSchedules {
    /** Pixels per token side of the official table: the image size is the final grid times 16. */
    public static final int PIXELS_PER_TOKEN = 16;

    private static final String RESOURCE = "scale-schedules.json";

    private ScaleSchedules() {}

    /** The parsed table, loaded on first use. */
    private static final class Table {
        static final Map<String, Map<PixelBudget, OfficialSchedule>> ENTRIES = load();
        static final List<String> KEYS = List.copyOf(ENTRIES.keySet());
        static final double[] RATIOS =
                KEYS.stream().mapToDouble(Double::parseDouble).toArray();
    }

    /**
     * The official aspect-ratio keys, in the official order (which decides ties in {@link
     * #closestAspectRatio(double)}).
     *
     * @return {@code "1.000", "1.250", "0.800", "1.333", "0.750", ...}
     */
    public static List<String> aspectRatios() {
        return Table.KEYS;
    }

    /**
     * The official aspect ratio nearest to {@code hDivW}, as the official code picks it: the smallest
     * {@code |hDivW - ratio|}, the first in official order on a tie.
     *
     * @param hDivW the wanted height / width, positive and finite
     * @return the official key, e.g. {@code "1.333"} for 4:3 portrait
     * @throws IllegalArgumentException if {@code hDivW} is not positive and finite
     */
    public static String closestAspectRatio(double hDivW) {
        if (!(hDivW > 0) || Double.isInfinite(hDivW)) {
            throw new IllegalArgumentException("Aspect ratio h/w must be positive and finite, got " + hDivW);
        }
        double[] ratios = Table.RATIOS;
        int best = 0;
        for (int i = 1; i < ratios.length; i++) {
            if (Math.abs(hDivW - ratios[i]) < Math.abs(hDivW - ratios[best])) {
                best = i;
            }
        }
        return Table.KEYS.get(best);
    }

    /**
     * The official entry for the aspect ratio nearest to {@code hDivW}.
     *
     * @param hDivW the wanted height / width
     * @param budget the pixel budget
     * @return the entry
     */
    public static OfficialSchedule lookup(double hDivW, PixelBudget budget) {
        return Table.ENTRIES.get(closestAspectRatio(hDivW)).get(budget);
    }

    /**
     * The official entry with exactly these keys.
     *
     * @param aspectRatio an official key such as {@code "1.000"} or {@code "0.750"}
     * @param budget a budget label such as {@code "0.06M"}
     * @return the entry
     * @throws IllegalArgumentException if either key is not in the table
     */
    public static OfficialSchedule lookup(String aspectRatio, String budget) {
        Map<PixelBudget, OfficialSchedule> byBudget = Table.ENTRIES.get(aspectRatio);
        if (byBudget == null) {
            throw new IllegalArgumentException(
                    "Unknown official aspect ratio '" + aspectRatio + "'; expected one of " + Table.KEYS);
        }
        return byBudget.get(PixelBudget.fromLabel(budget));
    }

    /**
     * The official schedule for the aspect ratio nearest to {@code hDivW}.
     *
     * @param hDivW the wanted height / width
     * @param budget the pixel budget
     * @return the schedule
     */
    public static ScaleSchedule official(double hDivW, PixelBudget budget) {
        return lookup(hDivW, budget).schedule();
    }

    /**
     * The official schedule with exactly these keys.
     *
     * @param aspectRatio an official key such as {@code "1.000"}
     * @param budget a budget label such as {@code "0.06M"}
     * @return the schedule
     * @throws IllegalArgumentException if either key is not in the table
     */
    public static ScaleSchedule official(String aspectRatio, String budget) {
        return lookup(aspectRatio, budget).schedule();
    }

    /**
     * The official aspect ratio whose 1M schedule starts with {@code schedule}, if any. Every official
     * schedule has one (each budget's schedule is a prefix of its ratio's 1M schedule); so does any
     * official schedule cut short.
     *
     * @param schedule a schedule
     * @return the first such ratio in official order, or empty for a schedule outside the table
     */
    public static Optional<String> officialAspectRatioOf(ScaleSchedule schedule) {
        for (Map.Entry<String, Map<PixelBudget, OfficialSchedule>> e : Table.ENTRIES.entrySet()) {
            if (schedule.isPrefixOf(e.getValue().get(PixelBudget.MP_1).schedule())) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    private static String resourcePath() {
        return ScaleSchedules.class.getPackageName().replace('.', '/') + "/" + RESOURCE;
    }

    private static Map<String, Map<PixelBudget, OfficialSchedule>> load() {
        InputStream in = ScaleSchedules.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException("Resource " + resourcePath() + " is missing from the jar");
        }
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return parse(JsonParser.parseReader(r).getAsJsonObject().getAsJsonObject("table"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read resource " + resourcePath(), e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Corrupt resource " + resourcePath() + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Map<PixelBudget, OfficialSchedule>> parse(JsonObject table) {
        Map<String, Map<PixelBudget, OfficialSchedule>> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> ratio : table.entrySet()) {
            Map<PixelBudget, OfficialSchedule> byBudget = new EnumMap<>(PixelBudget.class);
            for (Map.Entry<String, JsonElement> pn :
                    ratio.getValue().getAsJsonObject().entrySet()) {
                PixelBudget budget = PixelBudget.fromLabel(pn.getKey());
                JsonObject entry = pn.getValue().getAsJsonObject();
                JsonArray pixel = entry.getAsJsonArray("pixel");
                List<Scale> scales = new ArrayList<>();
                for (JsonElement hw : entry.getAsJsonArray("scales")) {
                    JsonArray a = hw.getAsJsonArray();
                    if (a.size() != 2) {
                        throw new IllegalStateException(
                                "scale " + a + " of " + ratio.getKey() + "/" + pn.getKey() + " is not an [h, w] pair");
                    }
                    scales.add(new Scale(a.get(0).getAsInt(), a.get(1).getAsInt()));
                }
                ScaleSchedule schedule = ScaleSchedule.of(scales);
                OfficialSchedule e = new OfficialSchedule(
                        ratio.getKey(),
                        budget,
                        schedule,
                        pixel.get(0).getAsInt(),
                        pixel.get(1).getAsInt());
                if (schedule.size() != budget.scales()
                        || e.pixelHeight() != schedule.last().h() * PIXELS_PER_TOKEN
                        || e.pixelWidth() != schedule.last().w() * PIXELS_PER_TOKEN) {
                    throw new IllegalStateException("entry " + ratio.getKey() + "/" + pn.getKey() + " is inconsistent");
                }
                byBudget.put(budget, e);
            }
            if (byBudget.size() != PixelBudget.values().length) {
                throw new IllegalStateException("ratio " + ratio.getKey() + " lacks a pixel budget");
            }
            out.put(ratio.getKey(), Collections.unmodifiableMap(byBudget));
        }
        return Collections.unmodifiableMap(out);
    }
}
