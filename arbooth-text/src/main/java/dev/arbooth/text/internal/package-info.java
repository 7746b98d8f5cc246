/** Internals shared with the engine modules (not exported to users). */
package dev.arbooth.text.internal;
