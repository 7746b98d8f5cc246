/** DJL backend internals (not exported). */
package dev.arbooth.train.internal;
