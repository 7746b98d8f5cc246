package dev.arbooth.internal.weights;

import dev.arbooth.WeightBindingException;
import dev.arbooth.internal.format.CheckpointFile;
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
import java.util.function.IntFunction;

/**
 * Strict weight binding: the checkpoint must hold exactly the expected tensors with exactly the expected
 * shapes. Every difference is reported at once in one {@link WeightBindingException}.
 */
public final class WeightBinder {
    /** How many expected tensors beyond twice a checkpoint's count {@link #expectedAtMost} lists. */
    public static final int EXPECTED_SLACK = 1024;

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
     * Lists a configuration's expected tensors for a checkpoint, giving up once they outnumber the
     * checkpoint's tensors by far (more than twice as many, plus {@value #EXPECTED_SLACK}): a configuration that
     * claims a million blocks is refused after listing a few thousand tensors, instead of listing millions,
     * while a configuration a few layers off still gets the full list of differences from strict binding.
     *
     * @param what a description of the model, for the error message
     * @param checkpoint the checkpoint the configuration came with
     * @param expected lists the tensors into a list of at most the given size (see {@link #boundedList})
     * @return the expected tensors
     * @throws WeightBindingException naming the checkpoint's file (if it has one) when there would be more
     */
    public static List<TensorSpec> expectedAtMost(
            String what, StateDict checkpoint, IntFunction<List<TensorSpec>> expected) {
        int present = checkpoint.names().size();
        int cap = (int) Math.min(Integer.MAX_VALUE - 8L, 2L * present + EXPECTED_SLACK);
        try {
            return expected.apply(cap);
        } catch (TooManyTensors e) {
            String file = checkpoint instanceof CheckpointFile f ? " " + f.file() : "";
            throw new WeightBindingException(
                    what,
                    "the configuration implies more than " + cap + " tensors but the checkpoint" + file + " holds "
                            + present + "; it does not describe this checkpoint (check the depth, layers, levels)");
        }
    }

    /**
     * A list for building expected tensors that refuses to grow past {@code maxSize} (see {@link
     * #expectedAtMost}).
     *
     * @param maxSize the most elements it accepts ({@code Integer.MAX_VALUE}: unbounded)
     * @return an empty list
     */
    public static List<TensorSpec> boundedList(int maxSize) {
        return new ArrayList<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public boolean add(TensorSpec spec) {
                if (size() >= maxSize) {
                    throw new TooManyTensors();
                }
                return super.add(spec);
            }

            @Override
            public boolean addAll(Collection<? extends TensorSpec> specs) {
                for (TensorSpec spec : specs) {
                    add(spec);
                }
                return !specs.isEmpty();
            }
        };
    }

    /** Thrown by a {@link #boundedList} that is full; caught by {@link #expectedAtMost}. */
    private static final class TooManyTensors extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooManyTensors() {
            super(null, null, false, false);
        }
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
