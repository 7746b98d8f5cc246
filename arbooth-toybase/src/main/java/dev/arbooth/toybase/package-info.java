/**
 * The bundled toy base model: {@link dev.arbooth.toybase.ToyBase#load()} makes its files available as a base-model
 * directory in a local cache and loads it through {@link dev.arbooth.base.BaseModel#load}, exactly as any directory
 * base.
 */
package dev.arbooth.toybase;
