package dev.arbooth.examples;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.base.BaseModel;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.GeneratedImage;
import dev.arbooth.runtime.Generator;
import dev.arbooth.sampling.SamplingOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Generates images from a prompt with a base model and, optionally, an adapter, on ONNX Runtime.
 *
 * <pre>
 * Generate --base DIR --out DIR --prompt TEXT [--adapter FILE] [--seed N] [--images N] [--threads N]
 * </pre>
 *
 * <p>From the repository root, on the tiny random base that ships with the examples (its images are noise: it
 * has random weights, and exists so that the example runs before the bundled toy base model arrives):
 *
 * <pre>
 * mvn -B -ntp -Pgenerate -pl examples -am package -DskipTests \
 *     -Dgenerate.args="--base tiny-random-base --out target/generated --prompt 'a photo of a sks dog' --seed 3"
 * </pre>
 */
public final class Generate {
    static final String USAGE =
            "Generate --base DIR --out DIR --prompt TEXT [--adapter FILE] [--seed N] [--images N]" + " [--threads N]";

    private static final Set<String> OPTIONS =
            Set.of("--base", "--out", "--prompt", "--adapter", "--seed", "--images", "--threads");

    private Generate() {}

    /** The parsed command line. */
    record Options(Path base, Path out, String prompt, Path adapter, long seed, int images, int threads) {}

    /**
     * Runs the example: prints the path of each image written.
     *
     * @param args the options (see the class documentation)
     */
    public static void main(String[] args) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: " + USAGE);
            System.exit(2);
            return;
        }
        for (Path file : run(o)) {
            System.out.println(file);
        }
    }

    /**
     * Generates the images.
     *
     * @param o the options
     * @return the PNG files written
     */
    static List<Path> run(Options o) {
        BaseModel base = BaseModel.load(o.base());
        SamplingOptions sampling = SamplingOptions.defaults().withSeed(o.seed()).withImagesPerPrompt(o.images());
        Device device = o.threads() > 0 ? Device.auto().withCpuThreads(o.threads()) : Device.auto();
        try (Generator generator = o.adapter() != null
                ? Generator.with(Adapter.load(o.adapter()), base, device)
                : Generator.base(base, device)) {
            List<GeneratedImage> images = generator.sample(o.prompt(), sampling);
            return images.stream()
                    .map(image -> {
                        Path file = o.out().resolve("image-" + image.index() + ".png");
                        image.writePng(file);
                        return file;
                    })
                    .toList();
        }
    }

    /**
     * Parses {@code --name value} pairs.
     *
     * @param args the command line
     * @return the options
     * @throws IllegalArgumentException naming the option that is missing, unknown, repeated or malformed
     */
    static Options parse(String... args) {
        Map<String, String> v = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "'");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            if (v.put(name, args[i + 1]) != null) {
                throw new IllegalArgumentException(name + " is given twice");
            }
        }
        for (String required : List.of("--base", "--out", "--prompt")) {
            if (!v.containsKey(required)) {
                throw new IllegalArgumentException("missing " + required);
            }
        }
        return new Options(
                Path.of(v.get("--base")),
                Path.of(v.get("--out")),
                v.get("--prompt"),
                v.containsKey("--adapter") ? Path.of(v.get("--adapter")) : null,
                number(v, "--seed", 0, Long.MIN_VALUE),
                Math.toIntExact(number(v, "--images", 1, 1)),
                Math.toIntExact(number(v, "--threads", 0, 1)));
    }

    private static long number(Map<String, String> v, String name, long fallback, long min) {
        String s = v.get(name);
        if (s == null) {
            return fallback;
        }
        long n;
        try {
            n = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + s + "'");
        }
        if (n < min || n > Integer.MAX_VALUE && min > Long.MIN_VALUE) {
            throw new IllegalArgumentException(
                    name + " must be between " + min + " and " + Integer.MAX_VALUE + ", got " + n);
        }
        return n;
    }
}
