/**
 * The one strict path for the library's JSON ({@link dev.arbooth.internal.json.StrictJson}) and the JSON forms of
 * the configuration records, declared once ({@link dev.arbooth.internal.json.RecordJson}, {@link
 * dev.arbooth.internal.json.ConfigJson}). Not exported.
 */
package dev.arbooth.internal.json;
