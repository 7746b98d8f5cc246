package dev.arbooth.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The positional arguments of a bench main, checked against its usage line: a missing or malformed argument ends
 * the program with the usage line and what was wrong (exit status 2), never with a stack trace.
 */
final class BenchArgs {
    /** An argument that does not fit the usage line. */
    static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** A bench main's body, given its checked arguments. */
    @FunctionalInterface
    interface Body {
        void run(BenchArgs args) throws Exception;
    }

    private final String usage;
    private final String[] args;

    BenchArgs(String usage, String[] args) {
        this.usage = usage;
        this.args = args.clone();
    }

    /**
     * Runs a bench main: on a {@link UsageException} prints {@code usage: …} and the problem to standard error and
     * exits with status 2.
     *
     * @param usage the usage line, for instance {@code StepProfile golden|mid k [threads] [profilePrefix]}
     * @param args the command-line arguments
     * @param body the main's work
     * @throws Exception what the body throws, other than a usage problem
     */
    static void run(String usage, String[] args, Body body) throws Exception {
        BenchArgs checked = new BenchArgs(usage, args);
        try {
            body.run(checked);
        } catch (UsageException e) {
            System.err.println("usage: " + usage);
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /** The usage line. */
    String usage() {
        return usage;
    }

    /**
     * A required argument that must be one of {@code allowed}.
     *
     * @param i its position
     * @param name its name in the usage line
     * @param allowed the accepted values
     * @return the value
     */
    String choice(int i, String name, String... allowed) {
        if (i >= args.length) {
            throw new UsageException(
                    "missing argument " + (i + 1) + " (" + name + "): one of " + String.join(", ", allowed));
        }
        if (!List.of(allowed).contains(args[i])) {
            throw new UsageException(name + " must be one of " + Arrays.toString(allowed) + ", got '" + args[i] + "'");
        }
        return args[i];
    }

    /**
     * A required integer argument of at least {@code min}.
     *
     * @param i its position
     * @param name its name in the usage line
     * @param min the smallest accepted value
     * @return the value
     */
    int requiredInt(int i, String name, int min) {
        if (i >= args.length) {
            throw new UsageException("missing argument " + (i + 1) + " (" + name + ")");
        }
        return parseInt(args[i], name, min);
    }

    /**
     * An optional integer argument of at least {@code min}.
     *
     * @param i its position
     * @param name its name in the usage line
     * @param fallback the value when absent
     * @param min the smallest accepted value
     * @return the value
     */
    int optionalInt(int i, String name, int fallback, int min) {
        return i < args.length ? parseInt(args[i], name, min) : fallback;
    }

    /**
     * An optional string argument.
     *
     * @param i its position
     * @param fallback the value when absent
     * @return the value
     */
    String optional(int i, String fallback) {
        return i < args.length ? args[i] : fallback;
    }

    private static int parseInt(String s, String name, int min) {
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be an integer, got '" + s + "'");
        }
        if (v < min) {
            throw new UsageException(name + " must be at least " + min + ", got " + v);
        }
        return v;
    }
}
