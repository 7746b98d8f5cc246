/**
 * Image input and output: {@link dev.arbooth.image.ImageLoader} turns JPEG and PNG photos into
 * {@code [3,H,W]} float tensors in [-1,1] (EXIF orientation honoured, sRGB, alpha over white, antialiased
 * cover-resize and centre crop) and refuses unusable files with an {@link dev.arbooth.InvalidImageException}
 * naming the file; {@link dev.arbooth.image.PngWriter} writes such tensors back as 8-bit RGB PNG files,
 * atomically.
 */
package dev.arbooth.image;
