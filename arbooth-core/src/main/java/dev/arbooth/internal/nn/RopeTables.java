package dev.arbooth.internal.nn;

/**
 * The 2-D RoPE angles of the tokens run now, as the engine's constants ({@link Ops#rotaryPairs}).
 *
 * @param cos_n_half_1 cosines {@code (n, hd/2, 1)}
 * @param sin_n_half_1 sines {@code (n, hd/2, 1)}
 * @param <T> the engine's tensor handle
 */
public record RopeTables<T>(T cos_n_half_1, T sin_n_half_1) {}
