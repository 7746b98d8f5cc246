package dev.arbooth.pretrain;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A text progress bar for one phase: steps, a bar, the latest figures, steps per second and the ETA. On a console it
 * redraws one line; otherwise (a log file under {@code nohup}) it prints a line every {@code logEverySeconds}.
 */
final class Progress {
    private final String phase;
    private final long total;
    private final long first;
    private final PrintStream out;
    private final boolean console;
    private final long started = System.nanoTime();
    private final double logEverySeconds;
    private long lastPrinted;

    Progress(String phase, long first, long total, PrintStream out, double logEverySeconds) {
        this.phase = phase;
        this.first = first;
        this.total = total;
        this.out = out;
        this.console = System.console() != null;
        this.logEverySeconds = logEverySeconds;
    }

    /** Seconds since this phase (re)started. */
    double elapsedSeconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /**
     * Reports a finished step.
     *
     * @param step steps done
     * @param figures the latest figures, already formatted
     */
    void update(long step, String figures) {
        long now = System.nanoTime();
        boolean last = step >= total;
        if (!last && (now - lastPrinted) / 1e9 < (console ? 0.5 : logEverySeconds)) {
            return;
        }
        lastPrinted = now;
        out.print(console ? "\r" + line(step, figures) : line(step, figures) + "\n");
        if (last && console) {
            out.println();
        }
        out.flush();
    }

    String line(long step, String figures) {
        double secs = elapsedSeconds();
        double rate = step > first ? (step - first) / Math.max(secs, 1e-9) : 0;
        double eta = rate > 0 ? (total - step) / rate : Double.NaN;
        int width = 24;
        int filled = (int) Math.round(width * (double) step / total);
        String bar = "#".repeat(Math.max(0, Math.min(width, filled))) + ".".repeat(Math.max(0, width - filled));
        return String.format(
                Locale.ROOT,
                "[%s] %d/%d [%s] %5.1f%% %s | %.2f steps/s | ETA %s",
                phase,
                step,
                total,
                bar,
                100.0 * step / total,
                figures,
                rate,
                clock(eta));
    }

    static String clock(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "--:--";
        }
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
