namespace TransferLearning.Augmentation;

/// <summary>A region of the input image, in pixels (it may be fractional for resized crops).</summary>
/// <param name="Top">First row.</param>
/// <param name="Left">First column.</param>
/// <param name="Height">Number of rows.</param>
/// <param name="Width">Number of columns.</param>
public readonly record struct CropBox(double Top, double Left, double Height, double Width)
{
    /// <summary>
    /// The map from an output of <paramref name="outHeight"/>×<paramref name="outWidth"/> pixels to this box, pixel
    /// centres aligned as torchvision's <c>resized_crop</c> (<c>in = top + (out + 0.5)·scale − 0.5</c>).
    /// </summary>
    /// <param name="outHeight">Output height.</param>
    /// <param name="outWidth">Output width.</param>
    public AffineMatrix Matrix(int outHeight, int outWidth)
    {
        double sy = Height / outHeight, sx = Width / outWidth;
        return new AffineMatrix(sy, 0, Top + 0.5 * sy - 0.5, 0, sx, Left + 0.5 * sx - 0.5);
    }
}
