/**
 * The toy world: a deterministic, seeded renderer of bold toy scenes (classes, colours, contexts,
 * accessories, properties) with captions in the grammar of the ViCo prompts, subjects with distinctive
 * uncaptioned traits, and probes that read class, context, accessory, colour, property and traits back
 * from an image. Engine-free: no deep-learning engine, only the JDK and {@code dev.arbooth.core}.
 */
module dev.arbooth.toyworld {
    requires transitive dev.arbooth.core;

    exports dev.arbooth.toyworld;
}
