package dev.arbooth.config;

/**
 * The pixel budgets of the official scale-schedule table ({@code pn} in the official code): each aspect
 * ratio has a 7-, 10-, 12- and 13-scale schedule, whose final token grid times 16 gives about 0.06, 0.25,
 * 0.60 and 1 megapixel.
 */
public enum PixelBudget {
    /** {@code "0.06M"}: 7 scales, 256×256 pixels at 1:1. */
    MP_0_06("0.06M", 7),
    /** {@code "0.25M"}: 10 scales, 512×512 pixels at 1:1. */
    MP_0_25("0.25M", 10),
    /** {@code "0.60M"}: 12 scales, 768×768 pixels at 1:1. */
    MP_0_60("0.60M", 12),
    /** {@code "1M"}: 13 scales, 1024×1024 pixels at 1:1; its final grid is the 2-D RoPE reference grid. */
    MP_1("1M", 13);

    private final String label;
    private final int scales;

    PixelBudget(String label, int scales) {
        this.label = label;
        this.scales = scales;
    }

    /**
     * The official key.
     *
     * @return {@code "0.06M"}, {@code "0.25M"}, {@code "0.60M"} or {@code "1M"}
     */
    public String label() {
        return label;
    }

    /**
     * The number of scales of every official schedule of this budget.
     *
     * @return 7, 10, 12 or 13
     */
    public int scales() {
        return scales;
    }

    /**
     * The budget with an official key.
     *
     * @param label {@code "0.06M"}, {@code "0.25M"}, {@code "0.60M"} or {@code "1M"}
     * @return the budget
     * @throws IllegalArgumentException for any other string
     */
    public static PixelBudget fromLabel(String label) {
        for (PixelBudget b : values()) {
            if (b.label.equals(label)) {
                return b;
            }
        }
        throw new IllegalArgumentException(
                "Unknown pixel budget '" + label + "'; expected one of \"0.06M\", \"0.25M\", \"0.60M\", \"1M\"");
    }

    @Override
    public String toString() {
        return label;
    }
}
