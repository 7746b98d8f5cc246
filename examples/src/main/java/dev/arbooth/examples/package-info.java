/** Runnable examples of the ARBooth API. */
package dev.arbooth.examples;
