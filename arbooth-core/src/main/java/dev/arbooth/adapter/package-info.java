/**
 * Adapters: what personalization produces and a generator binds onto its base model. Start with {@link
 * dev.arbooth.adapter.Adapter#load(java.nio.file.Path)} and hand the adapter to the generator ({@code
 * Generator.with(adapter, base)} in {@code dev.arbooth.runtime}).
 *
 * <p>An {@link dev.arbooth.adapter.Adapter} is one safetensors file holding the trained tensors of the blocks
 * under their official names (by default every block's fused cross-attention and FFN; wider tunings add
 * self-attention, AdaLN tables and the cross-attention LayerNorm), the learned identifier embedding that replaces the
 * identifier token's text rows, and an {@link dev.arbooth.adapter.AdapterManifest} (format version, base
 * fingerprint and configuration, identifier, class word, provenance). {@link dev.arbooth.adapter.BaseFingerprint}
 * identifies the base checkpoint an adapter was trained on, so that binding it onto another base fails with an
 * {@link dev.arbooth.adapter.IncompatibleAdapterException}.
 *
 * <pre>{@code
 * Adapter adapter = Adapter.load(Path.of("dog.arbooth.safetensors"));
 * adapter.identifier();   // "sks"
 * adapter.classWord();    // "dog"
 * }</pre>
 */
package dev.arbooth.adapter;
