/** The official scale-schedule table of Infinity, shipped as a resource. Not exported. */
package dev.arbooth.internal.schedule;
