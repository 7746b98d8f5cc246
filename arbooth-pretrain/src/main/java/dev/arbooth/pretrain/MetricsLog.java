package dev.arbooth.pretrain;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;

/**
 * The metrics log: one JSON object per line ({@code metrics.jsonl}), appended and flushed per record. A resumed run
 * appends again from its checkpoint, so a step may appear twice; readers keep the last record of a (phase, step).
 */
final class MetricsLog implements AutoCloseable {
    private final BufferedWriter out;

    MetricsLog(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = Files.newBufferedWriter(
                    file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the metrics log " + file, e);
        }
    }

    /**
     * Appends a record.
     *
     * @param phase the phase
     * @param step the step (steps done)
     * @param values numbers by name (NaN written as null)
     */
    void write(String phase, long step, Map<String, Double> values) {
        StringBuilder b = new StringBuilder("{\"phase\": \"")
                .append(phase)
                .append("\", \"step\": ")
                .append(step);
        b.append(", \"unix_ms\": ").append(System.currentTimeMillis());
        values.forEach((k, v) -> b.append(", \"")
                .append(k)
                .append("\": ")
                .append(Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null"));
        b.append("}\n");
        try {
            out.write(b.toString());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the metrics log", e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
