package dev.arbooth.base;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.io.AtomicFiles;
import dev.arbooth.internal.io.ConfinedPaths;
import dev.arbooth.internal.json.ConfigJson;
import dev.arbooth.internal.json.StrictJson;
import dev.arbooth.internal.nn.InfinityNet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;

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

    private static final Set<String> FIELDS = Set.of(
            "format",
            "name",
            "infinity",
            "transformer",
            "vae",
            "vaeWeights",
            "textEncoder",
            "textEncoderWeights",
            "tokenizer",
            "schedule");

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
        String unsupported = InfinityNet.unsupported(infinity);
        if (unsupported != null) {
            throw new ArboothException("This base cannot run: " + unsupported);
        }
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
        StrictJson o = StrictJson.parseDocument(file, "base-model descriptor", text);
        o.requireExactly(FIELDS);
        int format = o.integer("format");
        if (format != FORMAT_VERSION) {
            throw o.error("format " + format + " is not supported (this version reads format " + FORMAT_VERSION + ")");
        }
        String name = o.string("name");
        InfinityConfig infinity = ConfigJson.INFINITY.read(o.object("infinity"));
        VaeConfig vae = ConfigJson.VAE.read(o.object("vae"));
        T5Config textEncoder = ConfigJson.T5.read(o.object("textEncoder"));
        ScaleSchedule schedule;
        try {
            schedule = ScaleSchedule.of(o.integerRows("schedule", 2).toArray(int[][]::new));
        } catch (IllegalArgumentException e) {
            throw o.error("field 'schedule' is not a valid scale schedule: " + e.getMessage());
        }
        Path transformer = existing(file, directory, o.string("transformer"));
        Path vaeWeights = existing(file, directory, o.string("vaeWeights"));
        Path textEncoderWeights = existing(file, directory, o.string("textEncoderWeights"));
        Path tokenizer = existing(file, directory, o.string("tokenizer"));
        try {
            return new BaseModel(
                    directory,
                    name,
                    infinity,
                    transformer,
                    vae,
                    vaeWeights,
                    textEncoder,
                    textEncoderWeights,
                    tokenizer,
                    schedule);
        } catch (IllegalArgumentException | ArboothException e) {
            throw o.error("describes a base that cannot run: " + e.getMessage());
        }
    }

    /**
     * The base model bundled with the library: the one {@link BundledBaseProvider} on the class or module path (the
     * SDK's toy base when {@code dev.arbooth:arbooth-toybase} is there, which {@code arbooth-train} and {@code
     * arbooth-runtime} bring along). What {@code Personalizer.fit(images, classWord)} and {@code
     * Generator.with(adapter)} use when no base is given.
     *
     * @return the bundled base
     * @throws ArboothException if no provider is present, or several are
     */
    public static BaseModel bundled() {
        List<BundledBaseProvider> found = new ArrayList<>();
        ServiceLoader.load(BundledBaseProvider.class, BaseModel.class.getClassLoader())
                .forEach(found::add);
        if (found.isEmpty()) {
            throw new ArboothException("No bundled base model is on the class path: add the dependency "
                    + "dev.arbooth:arbooth-toybase (the SDK's toy base) or load a base with BaseModel.load(dir)");
        }
        if (found.size() > 1) {
            List<String> names = new ArrayList<>();
            found.forEach(p -> names.add(p.name() + " (" + p.getClass().getName() + ")"));
            throw new ArboothException("Several bundled base models are on the class path: " + names
                    + "; keep one, or load a base with BaseModel.load(dir)");
        }
        return found.get(0).load();
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
        o.add("infinity", ConfigJson.INFINITY.write(infinity));
        o.addProperty("transformer", relative(transformerWeights));
        o.add("vae", ConfigJson.VAE.write(vae));
        o.addProperty("vaeWeights", relative(vaeWeights));
        o.add("textEncoder", ConfigJson.T5.write(textEncoder));
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
}
