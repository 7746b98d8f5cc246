package dev.arbooth.internal.weights;

import dev.arbooth.WeightBindingException;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Strict weight binding: the checkpoint must hold exactly the expected tensors with exactly the expected
 * shapes. Every difference is reported at once in one {@link WeightBindingException}.
 */
public final class WeightBinder {
    private WeightBinder() {}

    /**
     * Binds a state dict to the tensors a model expects.
     *
     * @param what a description of the model, for the error message
     * @param expected the tensors the model expects
     * @param checkpoint the checkpoint
     * @return the checkpoint's tensors in the order of {@code expected} (dtypes as stored)
     * @throws WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static Map<String, Tensor> bindStrict(String what, Collection<TensorSpec> expected, StateDict checkpoint) {
        check(what, expected, checkpoint);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : expected) {
            out.put(spec.name(), checkpoint.get(spec.name()));
        }
        return out;
    }

    /**
     * Checks names and shapes only, reading no tensor data.
     *
     * @param what a description of the model, for the error message
     * @param expected the tensors the model expects
     * @param checkpoint the checkpoint
     * @throws WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static void check(String what, Collection<TensorSpec> expected, StateDict checkpoint) {
        Set<String> present = checkpoint.names();
        Set<String> expectedNames = new TreeSet<>();
        List<String> missing = new ArrayList<>();
        List<String> misshapen = new ArrayList<>();
        for (TensorSpec spec : expected) {
            if (!expectedNames.add(spec.name())) {
                throw new IllegalArgumentException("Duplicate expected tensor " + spec.name());
            }
            if (!present.contains(spec.name())) {
                missing.add(spec.name());
                continue;
            }
            long[] actual = checkpoint.shape(spec.name());
            if (!Arrays.equals(actual, spec.shape())) {
                misshapen.add(spec.name() + ": expected " + Arrays.toString(spec.shape()) + " but got "
                        + Arrays.toString(actual));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : new TreeSet<>(present)) {
            if (!expectedNames.contains(name)) {
                unexpected.add(name);
            }
        }
        missing.sort(null);
        misshapen.sort(null);
        if (!missing.isEmpty() || !unexpected.isEmpty() || !misshapen.isEmpty()) {
            throw new WeightBindingException(what, missing, unexpected, misshapen);
        }
    }
}
