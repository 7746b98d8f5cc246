package dev.arbooth.toyworld.internal;

/** The colour of a shape at a point of its layer; {@code px} is the size of a pixel there (for antialiasing). */
interface Paint {
    int at(double x, double y, double px);

    /** A single colour. */
    static Paint solid(int rgb) {
        return new Solid(rgb);
    }

    /** A single colour (recognised by the canvas to skip the per-pixel call). */
    record Solid(int rgb) implements Paint {
        @Override
        public int at(double x, double y, double px) {
            return rgb;
        }
    }
}
