/** Base models: {@link dev.arbooth.model.BaseModel}, the description of a base's networks, files and schedule. */
package dev.arbooth.model;
