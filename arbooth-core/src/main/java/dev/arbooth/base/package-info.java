/** Base models: {@link dev.arbooth.base.BaseModel}, the description of a base's networks, files and schedule. */
package dev.arbooth.base;
