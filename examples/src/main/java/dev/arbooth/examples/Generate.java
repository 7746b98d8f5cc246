package dev.arbooth.examples;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.base.BaseModel;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.GeneratedImage;
import dev.arbooth.runtime.Generator;
import dev.arbooth.sampling.SamplingOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * Generates images from a prompt with a base model and, optionally, an adapter.
 *
 * <pre>
 * java dev.arbooth.examples.Generate BASE_DIR OUT_DIR "a sks dog on the beach" [ADAPTER_FILE] [SEED] [IMAGES] [CPU_THREADS]
 * </pre>
 */
public final class Generate {
    private Generate() {}

    /**
     * Runs the example.
     *
     * @param args base directory, output directory, prompt, optional adapter file, seed, image count and
     *     CPU threads (default: ONNX Runtime's choice)
     */
    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: Generate BASE_DIR OUT_DIR PROMPT [ADAPTER_FILE] [SEED] [IMAGES] [CPU_THREADS]");
            System.exit(2);
        }
        BaseModel base = BaseModel.load(Path.of(args[0]));
        Path out = Path.of(args[1]);
        String prompt = args[2];
        SamplingOptions options = SamplingOptions.defaults()
                .withSeed(args.length > 4 ? Long.parseLong(args[4]) : 0)
                .withImagesPerPrompt(args.length > 5 ? Integer.parseInt(args[5]) : 1);
        Device device = args.length > 6 ? Device.auto().withCpuThreads(Integer.parseInt(args[6])) : Device.auto();
        try (Generator generator = args.length > 3 && !args[3].isEmpty()
                ? Generator.with(Adapter.load(Path.of(args[3])), base, device)
                : Generator.base(base, device)) {
            List<GeneratedImage> images = generator.sample(prompt, options);
            for (GeneratedImage image : images) {
                Path file = out.resolve("image-" + image.index() + ".png");
                image.writePng(file);
                System.out.println(file);
            }
        }
    }
}
