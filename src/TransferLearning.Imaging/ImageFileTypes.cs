namespace TransferLearning.Imaging;

/// <summary>The image file extensions the library looks for and SkiaSharp decodes.</summary>
public static class ImageFileTypes
{
    /// <summary>
    /// The default extensions (lower case, with the dot), matched case-insensitively: <c>.jpg .jpeg .png .bmp .gif
    /// .webp</c> plus the other formats SkiaSharp's codecs read on every platform, <c>.ico .wbmp</c>. TIFF and PPM
    /// (in Keras' list) are not decoded by SkiaSharp; HEIF/AVIF only on some platforms, so they are not listed.
    /// GIF and animated WebP give their first frame.
    /// </summary>
    public static IReadOnlyList<string> DefaultExtensions { get; } =
        Array.AsReadOnly(new[] { ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".ico", ".wbmp" });
}
