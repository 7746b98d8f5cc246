package dev.arbooth.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.base.BaseModel;
import dev.arbooth.train.internal.FitCheckpoint;
import dev.arbooth.train.testing.FitBases;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Determinism through the public API on the golden-size base: the same seed gives the same adapter, a fit killed
 * (a real separate JVM, destroyed forcibly) after its step-10 checkpoint and resumed gives the adapter of an
 * uninterrupted fit, and so does a cancelled one.
 */
@Tag("slow")
class FitResumeTest {
    static final String CHECKPOINTED = "CHECKPOINTED ";

    @TempDir
    static Path dir;

    static BaseModel base;

    static Adapter uninterrupted;

    @BeforeAll
    static void reference() {
        base = FitBases.goldenSet1(dir.resolve("base"));
        uninterrupted = fit(base, null, FitListener.silent());
    }

    /** 12 steps of batch 1 with one teacher sample: every random part of the method on. */
    static FitOptions options() {
        return FitOptions.arbooth().toBuilder()
                .steps(12)
                .batchSize(1)
                .distillation(new Distillation(true, 0.5, 1.0, 1, 1.0, 0.5, 900, 0.97, TeacherKind.KV_CACHED, false))
                .seed(42)
                .build();
    }

    static FitImages photos() {
        return FitImages.images(FitBases.photos(3, 7));
    }

    static Adapter fit(BaseModel base, Path checkpoints, FitListener listener) {
        Personalizer.Builder b = Personalizer.builder(base).options(options()).listener(listener);
        if (checkpoints != null) {
            b.checkpoints(checkpoints, 5);
        }
        try (Personalizer p = b.build()) {
            return p.fit(photos(), "dog");
        }
    }

    @Test
    void theSameSeedGivesTheSameAdapterAndAnotherSeedAnother() {
        Adapter again = fit(base, null, FitListener.silent());
        assertThat(again).isEqualTo(uninterrupted);
        FitOptions other = options().toBuilder().steps(2).seed(43).build();
        try (Personalizer p = Personalizer.builder(base)
                .options(other)
                .listener(FitListener.silent())
                .build()) {
            Adapter a = p.fit(photos(), "dog");
            assertThat(a.tensors().get("block_chunks.0.module.0.ffn.fc1.weight"))
                    .isNotEqualTo(uninterrupted.tensors().get("block_chunks.0.module.0.ffn.fc1.weight"));
        }
    }

    @Test
    void aKilledProcessResumesToTheUninterruptedAdapter() throws Exception {
        Path ck = dir.resolve("killed");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-XX:ActiveProcessorCount=1",
                "-cp",
                System.getProperty("java.class.path")));
        for (String p : List.of(
                "arbooth.shared.dir",
                "ai.djl.offline",
                "ai.djl.pytorch.num_threads",
                "ai.djl.pytorch.num_interop_threads",
                "java.awt.headless")) {
            if (System.getProperty(p) != null) {
                command.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        command.add(Child.class.getName());
        command.add(base.directory().toString());
        command.add(ck.toString());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        CountDownLatch tenCheckpointed = new CountDownLatch(1);
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.startsWith(CHECKPOINTED)
                            && Integer.parseInt(line.substring(CHECKPOINTED.length())
                                            .trim())
                                    >= 10) {
                        tenCheckpointed.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // the process was killed
            }
        });
        reader.start();
        boolean reached = tenCheckpointed.await(5, TimeUnit.MINUTES);
        child.destroyForcibly();
        child.waitFor(1, TimeUnit.MINUTES);
        reader.join(10_000);
        synchronized (output) {
            assertThat(reached)
                    .as("child reported its step-10 checkpoint; output:%n%s", output)
                    .isTrue();
        }
        int killedAt = FitCheckpoint.read(ck).step();
        System.out.println("child killed; its checkpoint holds step " + killedAt);
        assertThat(killedAt).isBetween(10, 11);
        List<FitProgress> resumed = new ArrayList<>();
        Adapter a = fit(base, ck, resumed::add);
        assertThat(resumed.get(0).step()).isEqualTo(killedAt + 1);
        assertThat(a).isEqualTo(uninterrupted);
    }

    @Test
    void aCancelledFitLeavesACheckpointThatResumes() {
        Path ck = dir.resolve("cancelled");
        FitJob[] job = new FitJob[1];
        CountDownLatch started = new CountDownLatch(1);
        try (Personalizer p = Personalizer.builder(base)
                .options(options())
                .listener(progress -> {
                    if (progress.step() == 3) {
                        try {
                            started.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        job[0].cancel(); // from this thread here; any thread may call it
                    }
                })
                .checkpoints(ck, 5)
                .build()) {
            job[0] = p.start(photos(), "dog");
            started.countDown();
            assertThatThrownBy(job[0]::await).isInstanceOfSatisfying(FitCancelledException.class, e -> {
                assertThat(e.completedSteps()).isEqualTo(3);
                assertThat(e.checkpoint()).isPresent();
            });
            assertThat(job[0].isDone()).isTrue();
        }
        assertThat(FitCheckpoint.read(ck).step()).isEqualTo(3);
        assertThat(fit(base, ck, FitListener.silent())).isEqualTo(uninterrupted);
    }

    /** The fit of the killed process: prints a line after each checkpoint. */
    public static final class Child {
        private Child() {}

        /**
         * Runs the fit.
         *
         * @param args the base directory and the checkpoint directory
         */
        public static void main(String[] args) {
            FitListener printer = new FitListener() {
                @Override
                public void onStep(FitProgress p) {}

                @Override
                public void onCheckpoint(int step, Path file) {
                    System.out.println(CHECKPOINTED + step);
                    System.out.flush();
                }
            };
            fit(BaseModel.load(Path.of(args[0])), Path.of(args[1]), printer);
            System.out.println("FINISHED");
        }
    }
}
