package dev.arbooth.examples;

import dev.arbooth.train.FitListener;
import dev.arbooth.train.FitProgress;
import java.time.Duration;
import java.util.Locale;

/** A one-line progress bar on the console (a line every 10 % when the output is not a terminal). */
final class ProgressBar implements FitListener {
    private final String label;
    private final boolean terminal = System.console() != null;
    private int lastDecile = -1;

    ProgressBar(String label) {
        this.label = label;
    }

    @Override
    public void onStep(FitProgress p) {
        Duration eta = p.eta();
        show(
                p.step(),
                p.steps(),
                String.format(
                        Locale.ROOT,
                        "loss %.4f prior %.4f | %.2f steps/s | ETA %d:%02d",
                        p.subjectLoss(),
                        p.priorLoss(),
                        p.stepsPerSecond(),
                        eta.toMinutes(),
                        eta.toSecondsPart()));
        if (p.step() == p.steps()) {
            done();
        }
    }

    void show(int done, int total, String tail) {
        int width = 24;
        int filled = (int) ((long) width * done / total);
        String line = String.format(
                Locale.ROOT,
                "[%s] %d/%d [%s%s] %5.1f%% %s",
                label,
                done,
                total,
                "#".repeat(filled),
                ".".repeat(width - filled),
                100.0 * done / total,
                tail);
        if (terminal) {
            System.out.print("\r" + line);
            System.out.flush();
        } else {
            int decile = 10 * done / total;
            if (decile != lastDecile) {
                lastDecile = decile;
                System.out.println(line);
            }
        }
    }

    void done() {
        if (terminal) {
            System.out.println();
        }
    }
}
