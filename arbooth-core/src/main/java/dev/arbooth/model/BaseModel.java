package dev.arbooth.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.io.AtomicFiles;
import dev.arbooth.internal.io.ConfinedPaths;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A base model: the three networks' configurations and checkpoints, the tokenizer and the scale schedule it
 * generates with. Stored as a directory holding the checkpoints and a descriptor {@value #DESCRIPTOR}
 * whose paths are relative to the directory.
 *
 * <pre>{@code
 * BaseModel base = BaseModel.load(Path.of("models/toy"));
 * }</pre>
 *
 * @param directory the directory the relative paths resolve against
 * @param name a human-readable name
 * @param infinity the transformer configuration
 * @param transformerWeights the transformer checkpoint ({@code .safetensors} or {@code .pth})
 * @param vae the VAE configuration
 * @param vaeWeights the VAE checkpoint
 * @param textEncoder the T5 encoder configuration
 * @param textEncoderWeights the T5 encoder checkpoint ({@code .safetensors} or {@code .pth}), or a T5 encoder
 *     exported elsewhere as ONNX ({@code .onnx}: inputs {@code input_ids} and {@code attention_mask}, output
 *     {@code last_hidden_state}, dynamic batch and sequence axes), which the ONNX Runtime generator then runs as
 *     it is
 * @param tokenizer the {@code tokenizer.json}
 * @param schedule the scale schedule images are generated with
 */
public record BaseModel(
        Path directory,
        String name,
        InfinityConfig infinity,
        Path transformerWeights,
        VaeConfig vae,
        Path vaeWeights,
        T5Config textEncoder,
        Path textEncoderWeights,
        Path tokenizer,
        ScaleSchedule schedule) {

    /** The descriptor's file name inside a base-model directory. */
    public static final String DESCRIPTOR = "arbooth-base.json";

    /** The descriptor format this version reads and writes. */
    public static final int FORMAT_VERSION = 1;

    /** The largest descriptor read (a real one is a few kilobytes). */
    private static final long MAX_DESCRIPTOR_BYTES = 1 << 20;

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /**
     * Validates the model description.
     *
     * @param directory the directory the relative paths resolve against
     * @param name a human-readable name
     * @param infinity the transformer configuration
     * @param transformerWeights the transformer checkpoint
     * @param vae the VAE configuration
     * @param vaeWeights the VAE checkpoint
     * @param textEncoder the T5 encoder configuration
     * @param textEncoderWeights the T5 encoder checkpoint
     * @param tokenizer the {@code tokenizer.json}
     * @param schedule the scale schedule
     */
    public BaseModel {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(infinity, "infinity");
        Objects.requireNonNull(transformerWeights, "transformerWeights");
        Objects.requireNonNull(vae, "vae");
        Objects.requireNonNull(vaeWeights, "vaeWeights");
        Objects.requireNonNull(textEncoder, "textEncoder");
        Objects.requireNonNull(textEncoderWeights, "textEncoderWeights");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(schedule, "schedule");
        if (infinity.codebookDim() != vae.codebookDim()) {
            throw new ArboothException("The transformer predicts " + infinity.codebookDim()
                    + " bits per token but the VAE's codes have " + vae.codebookDim());
        }
        if (infinity.textChannels() != textEncoder.dModel()) {
            throw new ArboothException("The transformer expects " + infinity.textChannels()
                    + " text channels but the text encoder produces " + textEncoder.dModel());
        }
        infinity.requireCompatible(schedule);
    }

    /**
     * Whether the text encoder is a {@code .onnx} file exported elsewhere rather than a checkpoint.
     *
     * @return whether {@link #textEncoderWeights()} ends with {@code .onnx} (any case)
     */
    public boolean textEncoderIsOnnx() {
        return textEncoderWeights
                .getFileName()
                .toString()
                .toLowerCase(java.util.Locale.ROOT)
                .endsWith(".onnx");
    }

    /**
     * The image size this base generates: the final scale times the VAE's patch size.
     *
     * @return {@code {height, width}} in pixels
     */
    public int[] imageSize() {
        Scale last = schedule.last();
        return new int[] {last.h() * vae.patchSize(), last.w() * vae.patchSize()};
    }

    /**
     * Loads a base-model directory.
     *
     * @param directory the directory holding {@value #DESCRIPTOR} and the checkpoints
     * @return the description (checkpoints are not opened)
     * @throws FormatException if the descriptor is missing or malformed, or a referenced file is missing
     */
    public static BaseModel load(Path directory) {
        Path file = directory.resolve(DESCRIPTOR);
        String text;
        try {
            ConfinedPaths.requireInside(file, directory);
            if (Files.size(file) > MAX_DESCRIPTOR_BYTES) {
                throw new FormatException(
                        file, "the base-model descriptor is larger than " + MAX_DESCRIPTOR_BYTES + " bytes");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new FormatException(file, "not a base-model directory: " + DESCRIPTOR + " is missing");
        } catch (IOException e) {
            throw new FormatException(file, "cannot read the base-model descriptor: " + e.getMessage(), e);
        }
        try {
            JsonObject o = JsonParser.parseString(text).getAsJsonObject();
            requireKeys(
                    file,
                    "descriptor",
                    o,
                    Set.of(
                            "format",
                            "name",
                            "infinity",
                            "transformer",
                            "vae",
                            "vaeWeights",
                            "textEncoder",
                            "textEncoderWeights",
                            "tokenizer",
                            "schedule"));
            int format = o.get("format").getAsInt();
            if (format != FORMAT_VERSION) {
                throw new FormatException(
                        file,
                        "base-model format " + format + " is not supported (this version" + " reads format "
                                + FORMAT_VERSION + ")");
            }
            BaseModel model = new BaseModel(
                    directory,
                    o.get("name").getAsString(),
                    InfinityConfig.fromJson(o.get("infinity").toString()),
                    existing(file, directory, o.get("transformer").getAsString()),
                    record(file, o.getAsJsonObject("vae"), VaeConfig.class),
                    existing(file, directory, o.get("vaeWeights").getAsString()),
                    record(file, o.getAsJsonObject("textEncoder"), T5Config.class),
                    existing(file, directory, o.get("textEncoderWeights").getAsString()),
                    existing(file, directory, o.get("tokenizer").getAsString()),
                    schedule(file, o.getAsJsonArray("schedule")));
            return model;
        } catch (JsonParseException | IllegalStateException | ClassCastException | NullPointerException e) {
            throw new FormatException(file, "malformed base-model descriptor: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "invalid base-model descriptor: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the descriptor into {@link #directory()} atomically; the checkpoints must already be there.
     *
     * @return the descriptor's path
     */
    public Path save() {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT_VERSION);
        o.addProperty("name", name);
        o.add("infinity", JsonParser.parseString(infinity.toJson()));
        o.addProperty("transformer", relative(transformerWeights));
        o.add("vae", GSON.toJsonTree(vae));
        o.addProperty("vaeWeights", relative(vaeWeights));
        o.add("textEncoder", GSON.toJsonTree(textEncoder));
        o.addProperty("textEncoderWeights", relative(textEncoderWeights));
        o.addProperty("tokenizer", relative(tokenizer));
        JsonArray s = new JsonArray();
        for (Scale scale : schedule.scales()) {
            JsonArray hw = new JsonArray();
            hw.add(scale.h());
            hw.add(scale.w());
            s.add(hw);
        }
        o.add("schedule", s);
        Path file = directory.resolve(DESCRIPTOR);
        AtomicFiles.write(file, (GSON.toJson(o) + "\n").getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private String relative(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path dir = directory.toAbsolutePath().normalize();
        return abs.startsWith(dir) ? dir.relativize(abs).toString() : abs.toString();
    }

    /** A file the descriptor names: confined to the directory, symbolic links resolved (see ConfinedPaths). */
    private static Path existing(Path descriptor, Path directory, String relative) {
        return ConfinedPaths.resolve(descriptor, directory, relative, "the referenced file");
    }

    private static ScaleSchedule schedule(Path file, JsonArray a) {
        List<Scale> scales = new ArrayList<>();
        for (JsonElement e : a) {
            JsonArray hw = e.getAsJsonArray();
            if (hw.size() != 2) {
                throw new FormatException(file, "schedule entries must be [h, w], got " + hw);
            }
            scales.add(new Scale(hw.get(0).getAsInt(), hw.get(1).getAsInt()));
        }
        return ScaleSchedule.of(scales);
    }

    private static <R extends Record> R record(Path file, JsonObject o, Class<R> type) {
        Set<String> names = new TreeSet<>();
        Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).forEach(names::add);
        requireKeys(file, type.getSimpleName(), o, names);
        return GSON.fromJson(o, type);
    }

    private static void requireKeys(Path file, String what, JsonObject o, Set<String> expected) {
        Set<String> present = new TreeSet<>(o.keySet());
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(present);
        Set<String> unknown = new TreeSet<>(present);
        unknown.removeAll(expected);
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            throw new FormatException(file, what + ": missing fields " + missing + ", unknown fields " + unknown);
        }
    }
}
