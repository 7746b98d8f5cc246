package dev.arbooth;

import java.util.List;

/**
 * A checkpoint does not fit a model configuration. One exception lists every missing, unexpected and
 * misshapen tensor, so that a user sees the whole difference at once.
 */
public class WeightBindingException extends ArboothException {
    private static final long serialVersionUID = 1L;

    /** Names the configuration expects but the checkpoint lacks. */
    private final List<String> missing;

    /** Names the checkpoint holds but the configuration does not expect. */
    private final List<String> unexpected;

    /** Tensors present under the expected name with another shape, each with both shapes. */
    private final List<String> misshapen;

    /**
     * Creates the exception.
     *
     * @param what what was being bound (for example {@code "Infinity transformer (depth 2, width 128)"})
     * @param missing names the configuration expects but the checkpoint lacks
     * @param unexpected names the checkpoint has but the configuration does not expect
     * @param misshapen one line per tensor whose shape differs: {@code name: expected [..] but got [..]}
     */
    public WeightBindingException(String what, List<String> missing, List<String> unexpected, List<String> misshapen) {
        super(message(what, missing, unexpected, misshapen));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.misshapen = List.copyOf(misshapen);
    }

    /**
     * Creates the exception for a configuration that cannot describe a checkpoint at all (it implies more
     * tensors than the checkpoint holds), found before its expected tensors were listed.
     *
     * @param what what was being bound
     * @param problem what does not fit, naming the file where there is one
     */
    public WeightBindingException(String what, String problem) {
        super("Cannot bind weights of " + what + ": " + problem);
        this.missing = List.of();
        this.unexpected = List.of();
        this.misshapen = List.of();
    }

    /**
     * Names the configuration expects but the checkpoint lacks.
     *
     * @return the missing tensor names, sorted
     */
    public List<String> missing() {
        return missing;
    }

    /**
     * Names the checkpoint has but the configuration does not expect.
     *
     * @return the unexpected tensor names, sorted
     */
    public List<String> unexpected() {
        return unexpected;
    }

    /**
     * One line per tensor whose shape differs from the expected one.
     *
     * @return lines of the form {@code name: expected [..] but got [..]}
     */
    public List<String> misshapen() {
        return misshapen;
    }

    private static String message(String what, List<String> missing, List<String> unexpected, List<String> misshapen) {
        StringBuilder sb =
                new StringBuilder("Cannot bind weights of ").append(what).append(": ");
        sb.append(missing.size()).append(" missing, ");
        sb.append(unexpected.size()).append(" unexpected, ");
        sb.append(misshapen.size()).append(" misshapen");
        appendList(sb, "missing", missing);
        appendList(sb, "unexpected", unexpected);
        appendList(sb, "misshapen", misshapen);
        return sb.toString();
    }

    private static void appendList(StringBuilder sb, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(title).append(':');
        for (String item : items) {
            sb.append("\n    ").append(item);
        }
    }
}
