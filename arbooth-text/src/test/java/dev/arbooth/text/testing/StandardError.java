package dev.arbooth.text.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures what code prints to standard error (where slf4j-simple logs in tests). */
public final class StandardError {
    private StandardError() {}

    /**
     * Runs {@code action} with standard error redirected.
     *
     * @param action the code to run
     * @return what it printed to standard error
     */
    public static String capture(Runnable action) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
