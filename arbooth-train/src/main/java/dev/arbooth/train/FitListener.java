package dev.arbooth.train;

import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives a fit's progress on the fitting thread: one call per step, and one per checkpoint and validation grid
 * written. Keep the calls short (they run between steps); a listener that throws stops the fit.
 *
 * <pre>{@code
 * FitListener printer = p -> System.out.printf("step %d/%d loss %.4f%n", p.step(), p.steps(), p.subjectLoss());
 * }</pre>
 */
@FunctionalInterface
public interface FitListener {
    /**
     * A step finished.
     *
     * @param progress the step, its losses, the rate and the estimated time left
     */
    void onStep(FitProgress progress);

    /**
     * A checkpoint was written (atomically).
     *
     * @param step the steps it holds
     * @param file the checkpoint file
     */
    default void onCheckpoint(int step, Path file) {}

    /**
     * A validation grid was written.
     *
     * @param step the steps the sampled weights had
     * @param grid the PNG file (one row per prompt)
     */
    default void onValidation(int step, Path grid) {}

    /**
     * The default listener: every step, checkpoint and grid as one SLF4J INFO line of logger {@code
     * dev.arbooth.train.Personalizer}.
     *
     * @return the listener
     */
    static FitListener logging() {
        return LoggingListener.INSTANCE;
    }

    /**
     * A listener that ignores everything.
     *
     * @return the listener
     */
    static FitListener silent() {
        return p -> {};
    }

    /**
     * This listener, then another, for every event.
     *
     * @param next the listener called after this one
     * @return the combined listener
     */
    default FitListener andThen(FitListener next) {
        java.util.Objects.requireNonNull(next, "next");
        FitListener first = this;
        return new FitListener() {
            @Override
            public void onStep(FitProgress progress) {
                first.onStep(progress);
                next.onStep(progress);
            }

            @Override
            public void onCheckpoint(int step, Path file) {
                first.onCheckpoint(step, file);
                next.onCheckpoint(step, file);
            }

            @Override
            public void onValidation(int step, Path grid) {
                first.onValidation(step, grid);
                next.onValidation(step, grid);
            }
        };
    }
}

/** SLF4J logging of progress (the default {@link FitListener}). */
final class LoggingListener implements FitListener {
    static final LoggingListener INSTANCE = new LoggingListener();
    private static final Logger LOG = LoggerFactory.getLogger(Personalizer.class);

    private LoggingListener() {}

    @Override
    public void onStep(FitProgress p) {
        if (LOG.isInfoEnabled()) {
            LOG.info(String.format(
                    java.util.Locale.ROOT,
                    "step %d/%d: subject loss %.6f%s, %.3f steps/s, ETA %s",
                    p.step(),
                    p.steps(),
                    p.subjectLoss(),
                    p.hasPriorLoss() ? String.format(java.util.Locale.ROOT, ", prior loss %.6g", p.priorLoss()) : "",
                    p.stepsPerSecond(),
                    format(p.eta())));
        }
    }

    @Override
    public void onCheckpoint(int step, Path file) {
        LOG.info("checkpoint of step {} written to {}", step, file);
    }

    @Override
    public void onValidation(int step, Path grid) {
        LOG.info("validation samples of step {} written to {}", step, grid);
    }

    private static String format(java.time.Duration d) {
        long s = d.getSeconds();
        return String.format(java.util.Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
