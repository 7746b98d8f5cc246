package dev.arbooth.bench;

import dev.arbooth.base.BaseModel;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.Generator;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.toyworld.Combination;
import dev.arbooth.toyworld.Split;
import dev.arbooth.toyworld.ToyWorld;
import dev.arbooth.train.FitImages;
import dev.arbooth.train.FitListener;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.Personalizer;
import dev.arbooth.train.TeacherKind;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The bundled toy base's two speed targets (issue 12), in one run: sampling time per image on ONNX Runtime (a batch
 * of held-out captions, after a warm-up batch; the default {@link Device#auto()} threads and one thread) and the
 * wall time of a 500-step fit with the base's preset on the demo subject dog1's photos (photos encoded once,
 * included). Each figure is also given as a ratio to its target (100 ms per image; 120 s per 500-step fit).
 *
 * <p>Usage: {@code ToyBaseBench [fit steps, default 500] [prompts per batch, default 20] [teacher: preset|djl|ort,
 * default preset]} (the teacher of prior distillation: the preset's, or the KV-cached one on DJL or on ONNX Runtime).
 */
public final class ToyBaseBench {
    private ToyBaseBench() {}

    /**
     * Entry point.
     *
     * @param args optional fit steps and batch
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        BenchArgs.run(
                "ToyBaseBench [fit steps, default 500] [prompts per batch, default 20] [teacher: preset|djl|ort]",
                args,
                a -> run(
                        a.optionalInt(0, "fit steps", 500, 1),
                        a.optionalInt(1, "batch", 20, 1),
                        args.length > 2 ? a.choice(2, "teacher", "preset", "djl", "ort") : "preset"));
    }

    private static void run(int steps, int batch, String teacher) throws Exception {
        BaseModel base = BaseModel.bundled();
        System.out.printf(
                "ToyBaseBench: %s, %d cores, load average %s%n",
                base.name(), Runtime.getRuntime().availableProcessors(), TrainBench.loadAverage());
        List<String> prompts = new ArrayList<>();
        List<Combination> held = Combination.of(Split.HELD_OUT);
        for (int i = 0; i < batch; i++) {
            prompts.add(held.get((i * 37) % held.size()).caption().text());
        }
        for (Device device : List.of(Device.auto(), Device.cpu(1))) {
            try (Generator g = Generator.base(base, device)) {
                SamplingOptions o = SamplingOptions.defaults();
                double s = Timer.median(1, 3, () -> g.sample(prompts, o));
                System.out.printf(
                        "sampling %s: %.1f ms per image (batch of %d prompts, median of 3); %.2f of the"
                                + " 100 ms target%n",
                        device, s * 1000 / batch, batch, s * 10 / batch);
            }
        }
        List<BufferedImage> photos = new ArrayList<>();
        for (int i = 0; i < ToyWorld.DEMO_PHOTO_COUNT; i++) {
            try (InputStream in =
                    ToyWorld.class.getResourceAsStream(String.format("/dev/arbooth/toyworld/demo/dog1/%02d.png", i))) {
                photos.add(ImageIO.read(in));
            }
        }
        Personalizer.Builder builder = Personalizer.builder(base).steps(steps).listener(FitListener.silent());
        if (!teacher.equals("preset")) {
            // the preset as the personalizer resolves it (identifier rows from the tokenizer), with another teacher
            FitOptions preset;
            try (Personalizer d =
                    Personalizer.builder(base).listener(FitListener.silent()).build()) {
                preset = d.options();
            }
            TeacherKind kind = teacher.equals("ort") ? TeacherKind.KV_CACHED_ONNX_RUNTIME : TeacherKind.KV_CACHED;
            builder.options(preset.toBuilder()
                    .distillation(preset.distillation().withTeacher(kind))
                    .build());
        }
        try (Personalizer p = builder.build()) {
            double s = Timer.once(() -> p.fit(FitImages.images(photos), "dog"));
            System.out.printf(
                    "fit: %d steps of the preset (batch %d, lr %s, teacher %s) in %.1f s (%.2f steps/s); a 500-step"
                            + " fit at this rate %.1f s = %.2f of the 120 s target%n",
                    steps,
                    p.options().batchSize(),
                    p.options().optimizer().learningRate(),
                    p.options().distillation().teacher(),
                    s,
                    steps / s,
                    s * 500 / steps,
                    s * 500 / steps / 120);
        }
        System.out.printf("load average at the end: %s%n", TrainBench.loadAverage());
    }
}
