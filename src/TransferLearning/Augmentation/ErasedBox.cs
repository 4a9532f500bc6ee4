namespace TransferLearning.Augmentation;

/// <summary>
/// The rectangle <see cref="RandomErasing"/> fills in one image, as fractions of the image's height and width, so the
/// same parameters fit any image size: rows from <c>Top·H</c> for <c>Height·H</c> rows, columns likewise.
/// </summary>
/// <param name="Top">First row, as a fraction of the height, in [0, 1).</param>
/// <param name="Left">First column, as a fraction of the width, in [0, 1).</param>
/// <param name="Height">Rows, as a fraction of the height, in (0, 1].</param>
/// <param name="Width">Columns, as a fraction of the width, in (0, 1].</param>
public readonly record struct ErasedBox(double Top, double Left, double Height, double Width)
{
    /// <summary>The box in pixels of an <paramref name="imageHeight"/> × <paramref name="imageWidth"/> image: at least one pixel, inside the image.</summary>
    /// <param name="imageHeight">Rows of the image.</param>
    /// <param name="imageWidth">Columns of the image.</param>
    /// <returns>First row, first column, rows and columns.</returns>
    public (long Top, long Left, long Height, long Width) ToPixels(long imageHeight, long imageWidth)
    {
        long h = Math.Clamp((long)Math.Round(Height * imageHeight), 1, imageHeight);
        long w = Math.Clamp((long)Math.Round(Width * imageWidth), 1, imageWidth);
        long top = Math.Clamp((long)Math.Floor(Top * imageHeight), 0, imageHeight - h);
        long left = Math.Clamp((long)Math.Floor(Left * imageWidth), 0, imageWidth - w);
        return (top, left, h, w);
    }
}
