package dev.arbooth.examples;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.base.BaseModel;
import dev.arbooth.train.FitImages;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.Personalizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Personalizes a base model on a few photos of a subject and saves the adapter (the README's "Personalize"
 * section).
 *
 * <pre>
 * Personalize BASE_DIR ADAPTER_FILE CLASS_WORD STEPS PHOTO...
 * </pre>
 *
 * <p>On the tiny random base that ships with the examples (its identifier is {@code sks}, one token of its
 * tokenizer), from the repository root: {@code Personalize examples/tiny-random-base dog.arbooth.safetensors dog 20
 * photo1.jpg photo2.jpg photo3.jpg}. Checkpoints go to {@code ADAPTER_FILE.checkpoints}; a run started again with
 * the same arguments resumes from them.
 */
public final class Personalize {
    private Personalize() {}

    /**
     * Runs a fit.
     *
     * @param args the base directory, the adapter file, the class word, the step count, the photos
     */
    public static void main(String[] args) {
        if (args.length < 5) {
            System.err.println("usage: Personalize BASE_DIR ADAPTER_FILE CLASS_WORD STEPS PHOTO...");
            System.exit(2);
        }
        List<Path> photos = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            photos.add(Path.of(args[i]));
        }
        Adapter adapter = personalize(
                Path.of(args[0]), photos, args[2], Integer.parseInt(args[3]), Path.of(args[1] + ".checkpoints"));
        adapter.save(Path.of(args[1]));
        System.out.println("wrote " + args[1] + ": " + adapter);
    }

    /**
     * The README's sample: a fit with ARBooth's options, the identifier {@code sks}, fewer steps, a seed and
     * checkpoints every 10 steps.
     *
     * @param baseDir the base-model directory
     * @param photos the subject's photos
     * @param classWord the subject's class
     * @param steps the step count
     * @param checkpoints the checkpoint directory
     * @return the adapter
     */
    public static Adapter personalize(Path baseDir, List<Path> photos, String classWord, int steps, Path checkpoints) {
        BaseModel base = BaseModel.load(baseDir);
        FitOptions options = FitOptions.arbooth().toBuilder()
                .identifier("sks") // P = 1 row: the tiny base's tokenizer has "sks" as one token
                .identifierRows(1)
                .steps(steps)
                .build();
        try (Personalizer personalizer = Personalizer.builder(base)
                .options(options)
                .seed(42)
                .checkpoints(checkpoints, 10) // resumes from here if a run was interrupted
                .build()) { // progress is logged through SLF4J
            return personalizer.fit(FitImages.files(photos), classWord);
        }
    }
}
