/**
 * Model configurations and scale schedules: {@link dev.arbooth.config.ScaleSchedule} and the official
 * schedule table, the 2-D RoPE position rule, and {@code InfinityConfig} with its presets.
 */
package dev.arbooth.config;
