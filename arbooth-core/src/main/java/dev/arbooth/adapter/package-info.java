/**
 * Adapters: what personalization produces and the runtime binds onto a base model.
 *
 * <p>An {@link dev.arbooth.adapter.Adapter} holds the fused cross-attention and FFN tensors of every block
 * under their official names, the learned identifier embedding that replaces the identifier token's text
 * rows, and an {@link dev.arbooth.adapter.AdapterManifest} (format version, base fingerprint, base
 * configuration, identifier, class word, provenance). {@link dev.arbooth.adapter.BaseFingerprint} identifies
 * the base checkpoint an adapter was trained on, so that loading it onto another base fails loudly.
 *
 * <pre>{@code
 * Adapter adapter = Adapter.load(Path.of("dog.arbooth.safetensors"));
 * adapter.checkCompatible(BaseFingerprint.of(config, baseWeights));
 * }</pre>
 */
package dev.arbooth.adapter;
