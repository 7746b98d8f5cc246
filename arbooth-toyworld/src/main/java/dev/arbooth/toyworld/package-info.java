/**
 * The toy world's API.
 *
 * <ul>
 *   <li>Vocabulary: {@link dev.arbooth.toyworld.ObjectClass}, {@link dev.arbooth.toyworld.Colour}, {@link
 *       dev.arbooth.toyworld.Context}, {@link dev.arbooth.toyworld.Accessory}, {@link
 *       dev.arbooth.toyworld.Property} (all named by captions), and the uncaptioned traits {@link
 *       dev.arbooth.toyworld.Pattern}, {@link dev.arbooth.toyworld.Build}, {@link dev.arbooth.toyworld.Mark}
 *       collected in {@link dev.arbooth.toyworld.Traits}.
 *   <li>Scenes: {@link dev.arbooth.toyworld.Scene} (a full description; {@code render(size)} draws it),
 *       {@link dev.arbooth.toyworld.Caption} (ViCo grammar, parse and print), {@link
 *       dev.arbooth.toyworld.ToyWorld} (seeded sampling, the held-out split of {@link
 *       dev.arbooth.toyworld.Combination}s), {@link dev.arbooth.toyworld.Subject} (a specific instance and
 *       its photos).
 *   <li>Reading images back: {@link dev.arbooth.toyworld.ToyImage}, {@link dev.arbooth.toyworld.Probes},
 *       {@link dev.arbooth.toyworld.ProbeReading}, and {@link dev.arbooth.toyworld.Degradation} (a stand-in
 *       for a small VAE's round trip).
 * </ul>
 */
package dev.arbooth.toyworld;
