package dev.arbooth.train;

import dev.arbooth.sampling.SamplingOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Samples drawn with the weights being trained every few steps, written as one PNG grid per occasion ({@code
 * validation-step-000050.png} in {@link #directory()}: one row per prompt, {@link SamplingOptions#imagesPerPrompt()}
 * images per row). Sampling runs on the training engine (DJL) between steps and does not change the training: the
 * adapter is the same with or without validation.
 *
 * <pre>{@code
 * ValidationSamples v = ValidationSamples.every(50, Path.of("runs/dog"))
 *         .withPrompts(List.of("a photo of {identifier} {class} on the beach"));
 * }</pre>
 *
 * @param prompts prompt templates; {@value FitOptions#IDENTIFIER_SLOT} and {@value FitOptions#CLASS_SLOT} are
 *     replaced by the identifier and the class word
 * @param everySteps how often, in steps (the last step always gets a grid)
 * @param sampling the sampling options (CFG, τ, top-k/top-p, seed, images per prompt)
 * @param directory where the grids are written (created if needed)
 */
public record ValidationSamples(List<String> prompts, int everySteps, SamplingOptions sampling, Path directory) {
    /**
     * Validates and copies.
     *
     * @param prompts at least one, none blank
     * @param everySteps at least 1
     * @param sampling not null
     * @param directory not null
     */
    public ValidationSamples {
        prompts = List.copyOf(Objects.requireNonNull(prompts, "prompts"));
        if (prompts.isEmpty() || prompts.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("validation needs at least one non-blank prompt, got " + prompts);
        }
        if (everySteps < 1) {
            throw new IllegalArgumentException("validation everySteps must be at least 1, got " + everySteps);
        }
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(directory, "directory");
    }

    /**
     * The subject prompt "a photo of {@code <identifier> <class>}", ARBooth's sampling defaults with seed 0, every
     * {@code everySteps} steps.
     *
     * @param everySteps at least 1
     * @param directory where the grids go
     * @return the settings
     */
    public static ValidationSamples every(int everySteps, Path directory) {
        return new ValidationSamples(
                List.of("a photo of " + FitOptions.IDENTIFIER_SLOT + " " + FitOptions.CLASS_SLOT),
                everySteps,
                SamplingOptions.defaults(),
                directory);
    }

    /**
     * The same with other prompts.
     *
     * @param templates prompt templates
     * @return the settings
     */
    public ValidationSamples withPrompts(List<String> templates) {
        return new ValidationSamples(templates, everySteps, sampling, directory);
    }

    /**
     * The same with other sampling options.
     *
     * @param options the options
     * @return the settings
     */
    public ValidationSamples withSampling(SamplingOptions options) {
        return new ValidationSamples(prompts, everySteps, options, directory);
    }

    /**
     * The prompts for an identifier and a class word.
     *
     * @param identifier the identifier
     * @param classWord the class word
     * @return the prompts
     */
    public List<String> prompts(String identifier, String classWord) {
        return prompts.stream()
                .map(t -> t.replace(FitOptions.IDENTIFIER_SLOT, identifier).replace(FitOptions.CLASS_SLOT, classWord))
                .toList();
    }

    /**
     * The grid file of a step.
     *
     * @param step the steps completed
     * @return {@code directory/validation-step-NNNNNN.png}
     */
    public Path gridFile(int step) {
        return directory.resolve(String.format(java.util.Locale.ROOT, "validation-step-%06d.png", step));
    }
}
