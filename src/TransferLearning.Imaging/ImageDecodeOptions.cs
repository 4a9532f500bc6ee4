using SkiaSharp;

namespace TransferLearning.Imaging;

/// <summary>
/// How image files are decoded into tensors: size, channels, resampling, orientation and limits. An
/// <see cref="ImagePixelDecoder"/> (and the training library's <c>ImageDecoder</c>, which wraps it) copies these values when it is created; later changes to this object do not affect it.
/// </summary>
public sealed class ImageDecodeOptions
{
    /// <summary>Pillow's default <c>Image.MAX_IMAGE_PIXELS</c> (89,478,485 pixels), the default <see cref="MaxPixels"/>.</summary>
    public const long DefaultMaxPixels = 89_478_485;

    /// <summary>
    /// Output width and height in pixels (Keras' <c>target_size</c>, given there as height, width);
    /// <c>null</c> keeps every image's own size. Default: <c>null</c>. The batch loader requires a size.
    /// </summary>
    public SKSizeI? TargetSize { get; set; }

    /// <summary>The channels produced. Default: <see cref="ColorMode.Rgb"/>.</summary>
    public ColorMode ColorMode { get; set; } = ColorMode.Rgb;

    /// <summary>The resampling used to reach <see cref="TargetSize"/>. Default: <see cref="Interpolation.Nearest"/> (Keras' default).</summary>
    public Interpolation Interpolation { get; set; } = Interpolation.Nearest;

    /// <summary>
    /// When true, the largest centred region with the target's aspect ratio is cropped before resizing (Keras'
    /// <c>keep_aspect_ratio=True</c>), so nothing is stretched. Default: <c>false</c> (the whole image is stretched
    /// to the target size, as Keras does by default).
    /// </summary>
    public bool KeepAspectRatio { get; set; }

    /// <summary>
    /// When true, the EXIF orientation tag (JPEG APP1, read through <c>SKCodec.EncodedOrigin</c>) is applied, so a photo
    /// taken with a rotated camera comes out upright, as image viewers show it. Default: <c>true</c>
    /// (Keras/Pillow ignore the tag; torchvision's <c>decode_jpeg</c> applies it on request).
    /// </summary>
    public bool ApplyExifOrientation { get; set; } = true;

    /// <summary>
    /// When true and an image is at least twice as large as the target in both directions, the codec decodes at a
    /// reduced scale (<c>SKCodec.GetScaledDimensions</c>: JPEG DCT scaling by 1/2, 3/8, 1/4, 1/8), never below the target
    /// size, and the remaining resize starts from that. Much faster for photos, and closer to an ideal (area-averaged)
    /// downscale for bilinear, bicubic and area resizing: the DCT scaling acts as the prefilter those resizes lack. With
    /// <see cref="Interpolation.Nearest"/> only 1/4 and 1/8 are used (from four times the target): from a 1/2 or 3/8
    /// decode the nearest picks land further from the ideal than from the full image (docs/data.md has the table).
    /// Formats without scaled decoding are decoded at full size. Default: <c>true</c>. Has no effect without
    /// <see cref="TargetSize"/>.
    /// </summary>
    public bool UseScaledDecoding { get; set; } = true;

    /// <summary>
    /// When true (with <see cref="UseScaledDecoding"/>), JPEGs between one and two times the target size also decode
    /// at a reduced DCT scale: 5/8, 6/8 or 7/8, the smallest that still covers the target (as far as
    /// <see cref="ScaledDecodingMinimumCoverage"/> asks). Decoding a 500 × 375 photo for a 224 × 224 target then runs at
    /// 5/8 (313 × 235), about 1.5 times faster, but slightly softer: the DCT scaling is no longer a prefilter the
    /// resize needs, so the result is further from an area-averaged resize of the full image (0.89 against 0.57 mean
    /// grey levels in docs/data.md's measurement). With <see cref="Interpolation.Nearest"/> it also allows 1/2 and 3/8
    /// between two and four times the target. Default: <c>false</c> (scaled decoding from twice the target only, four
    /// times for nearest).
    /// </summary>
    public bool UseFineScaledDecoding { get; set; }

    /// <summary>
    /// How much of the target size a scaled decode must still cover, per direction: 1 (the default) never decodes
    /// below the target size, so scaled decoding starts when the source is at least twice the target. Lower values
    /// trade sharpness for speed: with 0.8 a 500 × 375 photo decodes at half scale (250 × 188) for a 224 × 224 target
    /// and the resize then enlarges the height slightly. Must be in (0, 1]. Default: 1.
    /// </summary>
    public double ScaledDecodingMinimumCoverage { get; set; } = 1.0;

    /// <summary>
    /// Largest number of pixels (width × height from the file's header) accepted; larger images are refused with an
    /// <see cref="ImageTooLargeException"/> before any pixel is decoded. Default: <see cref="DefaultMaxPixels"/>
    /// (89,478,485, Pillow's). Must be positive.
    /// </summary>
    public long MaxPixels { get; set; } = DefaultMaxPixels;

    /// <summary>
    /// Which library decodes JPEG data. Default: <see cref="Imaging.JpegDecoder.Auto"/>: the system's libjpeg-turbo
    /// when it loads (about 2.5 times faster than SkiaSharp's decoder, which lacks libjpeg-turbo's SIMD code; the same
    /// pixels), else SkiaSharp. <see cref="ImagePixelDecoder.LibJpegTurboLibrary"/> tells which one is in use.
    /// </summary>
    public JpegDecoder JpegDecoder { get; set; } = JpegDecoder.Auto;

    /// <summary>A copy of these options.</summary>
    public ImageDecodeOptions Clone() => (ImageDecodeOptions)MemberwiseClone();

    internal void Validate(string parameterName)
    {
        if (TargetSize is { } size && (size.Width <= 0 || size.Height <= 0))
            throw new ArgumentException($"TargetSize must be positive in both directions; got {size.Width} x {size.Height}.", parameterName);
        if (!Enum.IsDefined(ColorMode))
            throw new ArgumentException($"ColorMode {(int)ColorMode} is not a defined ColorMode.", parameterName);
        if (!Enum.IsDefined(Interpolation))
            throw new ArgumentException($"Interpolation {(int)Interpolation} is not a defined Interpolation.", parameterName);
        if (!Enum.IsDefined(JpegDecoder))
            throw new ArgumentException($"JpegDecoder {(int)JpegDecoder} is not a defined JpegDecoder.", parameterName);
        if (!(ScaledDecodingMinimumCoverage > 0 && ScaledDecodingMinimumCoverage <= 1))
            throw new ArgumentException($"ScaledDecodingMinimumCoverage must be in (0, 1]; got {ScaledDecodingMinimumCoverage}.", parameterName);
        if (MaxPixels <= 0)
            throw new ArgumentException($"MaxPixels must be positive; got {MaxPixels}.", parameterName);
    }
}
