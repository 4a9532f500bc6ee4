namespace TransferLearning.Imaging;

/// <summary>
/// An image whose header announces more pixels than <see cref="ImageDecodeOptions.MaxPixels"/>; it is refused before any
/// pixel is decoded (a decompression-bomb guard, like Pillow's <c>MAX_IMAGE_PIXELS</c>).
/// </summary>
public sealed class ImageTooLargeException : ImageDecodeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file refused.</param>
    /// <param name="width">Width announced by the header.</param>
    /// <param name="height">Height announced by the header.</param>
    /// <param name="maxPixels">The limit in force.</param>
    public ImageTooLargeException(string filePath, int width, int height, long maxPixels)
        : base(filePath, $"its header announces {width} x {height} = {(long)width * height:N0} pixels, above the limit of {maxPixels:N0} (ImageDecodeOptions.MaxPixels); raise the limit only for files you trust.")
    {
        Width = width;
        Height = height;
        MaxPixels = maxPixels;
    }

    /// <summary>Width announced by the header.</summary>
    public int Width { get; }

    /// <summary>Height announced by the header.</summary>
    public int Height { get; }

    /// <summary>The limit in force.</summary>
    public long MaxPixels { get; }
}
