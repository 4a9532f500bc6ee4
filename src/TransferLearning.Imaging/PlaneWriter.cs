using SkiaSharp;

namespace TransferLearning.Imaging;

/// <summary>Converts an RGBA8888 bitmap into C×H×W float planes (0..255) in a <see cref="ColorMode"/>.</summary>
internal static class PlaneWriter
{
    /// <summary>Writes an RGBA8888 bitmap (opaque or premultiplied) as C×H×W floats 0..255 in the given colour mode.</summary>
    public static void Write(SKBitmap bitmap, ColorMode mode, Span<float> destination)
    {
        int width = bitmap.Width, height = bitmap.Height, plane = width * height, rowBytes = bitmap.RowBytes;
        ReadOnlySpan<byte> px = bitmap.GetPixelSpan();
        byte[]? unpremul = null;
        if (bitmap.AlphaType == SKAlphaType.Premul)
        {
            // Un-premultiply through SkiaSharp so colours of partly transparent pixels come back.
            var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            unpremul = new byte[info.BytesSize];
            unsafe
            {
                fixed (byte* p = unpremul)
                {
                    using var pixmap = bitmap.PeekPixels();
                    if (!pixmap.ReadPixels(info, (IntPtr)p, info.RowBytes, 0, 0))
                        throw new InvalidOperationException("SkiaSharp could not un-premultiply the pixels.");
                }
            }
            px = unpremul;
            rowBytes = info.RowBytes;
        }
        for (int y = 0; y < height; y++)
        {
            var row = px.Slice(y * rowBytes, width * 4);
            int o = y * width;
            switch (mode)
            {
                case ColorMode.Grayscale:
                    for (int x = 0; x < width; x++)
                        destination[o + x] = (row[4 * x] * 19595 + row[4 * x + 1] * 38470 + row[4 * x + 2] * 7471 + 0x8000) >> 16;
                    break;
                case ColorMode.Rgba:
                    for (int x = 0; x < width; x++)
                    {
                        destination[o + x] = row[4 * x];
                        destination[plane + o + x] = row[4 * x + 1];
                        destination[2 * plane + o + x] = row[4 * x + 2];
                        destination[3 * plane + o + x] = bitmap.AlphaType == SKAlphaType.Opaque ? 255 : row[4 * x + 3];
                    }
                    break;
                default:
                    for (int x = 0; x < width; x++)
                    {
                        destination[o + x] = row[4 * x];
                        destination[plane + o + x] = row[4 * x + 1];
                        destination[2 * plane + o + x] = row[4 * x + 2];
                    }
                    break;
            }
        }
    }
}
