/**
 * ARBooth for Java: the root exception hierarchy ({@link dev.arbooth.ArboothException} and its few
 * subclasses). The public API lives in the sub-packages.
 */
package dev.arbooth;
