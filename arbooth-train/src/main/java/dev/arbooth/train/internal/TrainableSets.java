package dev.arbooth.train.internal;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.weights.InfinityPart;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.train.Tuning;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The user's {@link Tuning} as parts of the weight table ({@link InfinityPart}) and as a parameter group of the
 * store ({@link DjlParameters.Group}): the trainable set is read from the one home of the weight names, never
 * spelled again.
 */
public final class TrainableSets {
    /** The name of the group of base tensors a fit trains. */
    public static final String BASE_GROUP = "base";

    private TrainableSets() {}

    /**
     * The block parts a tuning trains (the identifier embedding, trained in every mode, is not a base tensor).
     *
     * @param tuning the mode
     * @return the parts; empty for {@link Tuning#IDENTIFIER_ONLY}
     */
    public static Set<InfinityPart> parts(Tuning tuning) {
        Set<InfinityPart> parts =
                switch (tuning) {
                    case CROSS_ATTENTION_AND_FFN -> EnumSet.copyOf(InfinityPart.ARBOOTH);
                    case CROSS_ATTENTION_ONLY -> EnumSet.of(InfinityPart.CROSS_ATTENTION);
                    case WITH_SELF_ATTENTION -> {
                        Set<InfinityPart> p = EnumSet.copyOf(InfinityPart.ARBOOTH);
                        p.add(InfinityPart.SELF_ATTENTION);
                        yield p;
                    }
                    case ALL_BLOCKS -> EnumSet.copyOf(InfinityPart.BLOCKS);
                    case IDENTIFIER_ONLY -> EnumSet.noneOf(InfinityPart.class);
                };
        return Collections.unmodifiableSet(parts);
    }

    /**
     * The group of base parameters a tuning trains, in official order.
     *
     * @param config the base configuration
     * @param tuning the mode
     * @return the group {@value #BASE_GROUP}
     */
    public static DjlParameters.Group baseGroup(InfinityConfig config, Tuning tuning) {
        List<String> keys = InfinityWeights.parameters(config, parts(tuning)).stream()
                .map(TensorSpec::name)
                .toList();
        return new DjlParameters.Group(BASE_GROUP, keys);
    }
}
