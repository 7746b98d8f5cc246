/**
 * Model configurations and scale schedules: {@link dev.arbooth.config.ScaleSchedule} and the official
 * schedule table, the 2-D RoPE position rule, {@code InfinityConfig} with its presets, and the BSQ VAE's
 * {@code VaeConfig} and state dict ({@code VaeWeights}).
 */
package dev.arbooth.config;
