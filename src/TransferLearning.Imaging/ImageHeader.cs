using SkiaSharp;

namespace TransferLearning.Imaging;

/// <summary>What an image file's header says, read without decoding pixels.</summary>
/// <param name="Width">Stored width in pixels (before orientation).</param>
/// <param name="Height">Stored height in pixels (before orientation).</param>
/// <param name="Origin">The EXIF orientation (<c>TopLeft</c> when there is none).</param>
/// <param name="Format">The encoded format SkiaSharp recognised.</param>
public readonly record struct ImageHeader(int Width, int Height, SKEncodedOrigin Origin, SKEncodedImageFormat Format)
{
    /// <summary>Whether the orientation swaps width and height (EXIF orientations 5 to 8).</summary>
    public bool SwapsDimensions => Origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    /// <summary>Width as displayed, after the orientation.</summary>
    public int OrientedWidth => SwapsDimensions ? Height : Width;

    /// <summary>Height as displayed, after the orientation.</summary>
    public int OrientedHeight => SwapsDimensions ? Width : Height;
}
