using SkiaSharp;

namespace TransferLearning.Imaging;

/// <summary>
/// Which decoded pixel each pixel of a nearest-neighbour resize takes, as <see cref="RgbaGridSampler"/> offsets. Skia
/// itself answers: the decode's exact draw matrix is applied to two index images — one row of the decoded width and
/// one column of the decoded height, each pixel holding its own index — drawn into one output row and one output
/// column. The resize matrix is axis-aligned (resize, crop, EXIF orientation, DCT scaling), so each output row reads
/// one decoded row (or column, when the orientation swaps axes) whatever the column, and the picks, ties included,
/// are the ones the full nearest draw makes. The last result is kept per thread: photos of one size share it.
/// </summary>
internal static class NearestGrid
{
    [ThreadStatic] private static Entry? _last;

    private sealed record Entry(SKMatrix Matrix, int OutHeight, int OutWidth, int DecodedHeight, int DecodedWidth, int RowElements,
        int[] Rows, int[] Columns);

    /// <summary>The offsets of output row i and column j into the decoded pixels (rows of <paramref name="rowElements"/> pixels).</summary>
    /// <exception cref="ArgumentException">The matrix rotates or shears (not axis-aligned up to a swap).</exception>
    public static (int[] Rows, int[] Columns) Offsets(SKMatrix decodedToOutput, int outHeight, int outWidth, int decodedHeight, int decodedWidth, int rowElements)
    {
        if (_last is { } e && e.Matrix == decodedToOutput && e.OutHeight == outHeight && e.OutWidth == outWidth
            && e.DecodedHeight == decodedHeight && e.DecodedWidth == decodedWidth && e.RowElements == rowElements)
            return (e.Rows, e.Columns);
        var m = decodedToOutput;
        bool swapped = m.ScaleX == 0 && m.ScaleY == 0 && m.SkewX != 0 && m.SkewY != 0;
        if (!swapped && (m.SkewX != 0 || m.SkewY != 0 || m.ScaleX == 0 || m.ScaleY == 0) || m.Persp0 != 0 || m.Persp1 != 0)
            throw new ArgumentException($"The nearest resize map {m} is not axis-aligned.", nameof(decodedToOutput));
        // Decoded column index x from a row image, decoded row index y from a column image.
        var xs = Picks(decodedToOutput, decodedWidth, 1, swapped ? 1 : outWidth, swapped ? outHeight : 1);
        var ys = Picks(decodedToOutput, 1, decodedHeight, swapped ? outWidth : 1, swapped ? 1 : outHeight);
        int[] rows = new int[outHeight], columns = new int[outWidth];
        for (int i = 0; i < outHeight; i++)
            rows[i] = swapped ? xs[i] : ys[i] * rowElements;
        for (int j = 0; j < outWidth; j++)
            columns[j] = swapped ? ys[j] * rowElements : xs[j];
        _last = new Entry(decodedToOutput, outHeight, outWidth, decodedHeight, decodedWidth, rowElements, rows, columns);
        return (rows, columns);
    }

    /// <summary>Draws an index image (pixel k holds k in its red, green and blue bytes) of width × height and reads the picks.</summary>
    private static unsafe int[] Picks(SKMatrix matrix, int width, int height, int outWidth, int outHeight)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var index = new uint[width * height];
        for (int k = 0; k < index.Length; k++)
            index[k] = 0xFF000000u | (uint)k; // RGBA8888 little-endian: red holds the low byte
        fixed (uint* p = index)
        {
            using var image = SKImage.FromPixels(info, (IntPtr)p, 4 * width);
            using var drawn = SkiaDrawing.Draw(image, SKAlphaType.Opaque, outWidth, outHeight, matrix, SkiaDrawing.Sampling(Interpolation.Nearest));
            var pixels = drawn.GetPixelSpan();
            var picks = new int[outWidth * outHeight];
            for (int k = 0; k < picks.Length; k++)
            {
                int o = (k / outWidth) * drawn.RowBytes + 4 * (k % outWidth);
                picks[k] = pixels[o] | pixels[o + 1] << 8 | pixels[o + 2] << 16;
            }
            return picks;
        }
    }
}
