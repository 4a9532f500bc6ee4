namespace TransferLearning.Imaging;

/// <summary>Which library turns JPEG data into pixels (<see cref="ImageDecodeOptions.JpegDecoder"/>).</summary>
public enum JpegDecoder
{
    /// <summary>
    /// The system's libjpeg-turbo (its TurboJPEG API, with its SIMD code) when it loads, otherwise SkiaSharp. Both
    /// give the same pixels: libjpeg-turbo's SIMD paths are exact, and a file it cannot decode cleanly (a warning, a
    /// CMYK file, a size it would scale differently) goes to SkiaSharp. The default.
    /// </summary>
    Auto = 0,

    /// <summary>Always SkiaSharp's bundled decoder (libjpeg-turbo built without its SIMD code: about 2.5 times slower).</summary>
    SkiaSharp = 1,

    /// <summary>
    /// The system's libjpeg-turbo, and an error when it cannot be loaded (so a deployment that relies on the speed
    /// notices its absence). Files it cannot decode cleanly still go to SkiaSharp.
    /// </summary>
    LibJpegTurbo = 2,
}
