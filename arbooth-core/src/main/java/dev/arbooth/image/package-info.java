/**
 * Photos in, images out. Start with {@link dev.arbooth.image.ImageLoader}: it turns JPEG and PNG photos into
 * {@code [3,H,W]} float tensors in [-1,1] (EXIF orientation honoured, sRGB, alpha over white, antialiased
 * cover-resize and centre crop, sizes per {@link dev.arbooth.image.ImageOptions}) and refuses unusable files with
 * an {@link dev.arbooth.InvalidImageException} naming the file; {@link dev.arbooth.image.PngWriter} writes such
 * tensors back as 8-bit RGB PNG files (one image or a grid), atomically.
 *
 * <pre>{@code
 * Tensor photo_3HW = ImageLoader.square(256).load(Path.of("dog.jpg"));
 * PngWriter.write(photo_3HW, Path.of("dog-256.png"));
 * }</pre>
 */
package dev.arbooth.image;
