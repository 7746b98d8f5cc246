/**
 * ARBooth core: the engine-free public API (value types, configurations, exceptions), checkpoint and
 * image formats, and the math of next-scale sampling. Only API packages are exported; {@code internal}
 * packages are shared with the engine modules alone.
 */
module dev.arbooth.core {
    requires transitive java.desktop;
    requires com.google.common;
    requires com.google.gson;
    requires org.slf4j;
    requires com.drew.metadata;

    exports dev.arbooth;
    exports dev.arbooth.tensor;
    exports dev.arbooth.config;
    exports dev.arbooth.image;
    exports dev.arbooth.base;
    exports dev.arbooth.sampling;
    exports dev.arbooth.adapter;

    uses dev.arbooth.base.BundledBaseProvider;

    exports dev.arbooth.internal.nn to
            dev.arbooth.train,
            dev.arbooth.runtime;
    exports dev.arbooth.internal.io to
            dev.arbooth.train,
            dev.arbooth.runtime,
            dev.arbooth.toyworld;
    exports dev.arbooth.internal.format to
            dev.arbooth.train,
            dev.arbooth.runtime,
            dev.arbooth.toyworld;
    exports dev.arbooth.internal.weights to
            dev.arbooth.train,
            dev.arbooth.runtime;
    exports dev.arbooth.internal.json to
            dev.arbooth.runtime;
    exports dev.arbooth.internal.sampling to
            dev.arbooth.train,
            dev.arbooth.runtime;
}
