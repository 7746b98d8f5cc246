package dev.arbooth.internal.pickle;

import dev.arbooth.tensor.DType;

/**
 * A storage named by a torch persistent id {@code ('storage', torch.XStorage, key, location, numel)}: the
 * record {@code <prefix>/data/<key>} of the archive holds {@code numel} elements of {@code dtype}.
 *
 * @param dtype the element type from the storage class
 * @param key the record name under {@code data/}
 * @param location the device it was saved from ({@code "cpu"}, {@code "cuda:0"}); informational only
 * @param numel the number of elements
 */
public record StorageRef(DType dtype, String key, String location, long numel) {}
