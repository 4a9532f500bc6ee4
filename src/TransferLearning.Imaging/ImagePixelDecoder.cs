using SkiaSharp;
using TransferLearning.Augmentation;

namespace TransferLearning.Imaging;

/// <summary>
/// Decodes image files with SkiaSharp into float32 C×H×W values 0..255: header checked against the pixel limit first,
/// EXIF orientation, optional centre crop, scaled (DCT) decoding and one resample to the target size. Thread-safe: one
/// decoder may be used from many threads at once. No TorchSharp: the training library's <c>ImageDecoder</c> wraps this
/// decoder into tensors and the ONNX Runtime predictor feeds its buffers to ONNX Runtime, so both see the same pixels.
/// </summary>
public sealed class ImagePixelDecoder
{
    private readonly ImageDecodeOptions _options;

    /// <summary>Creates a decoder; <paramref name="options"/> is copied (default: <c>new ImageDecodeOptions()</c>).</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message quotes it.</exception>
    public ImagePixelDecoder(ImageDecodeOptions? options = null)
    {
        _options = (options ?? new ImageDecodeOptions()).Clone();
        _options.Validate(nameof(options));
        if (_options.JpegDecoder == JpegDecoder.LibJpegTurbo && TurboJpeg.Library is null)
            throw new ArgumentException($"JpegDecoder is LibJpegTurbo but no libjpeg-turbo with the TurboJPEG API could be loaded (tried {string.Join(", ", TurboJpeg.CandidateNames)}); install it (Debian/Ubuntu: apt-get install libturbojpeg0) or use JpegDecoder.Auto.", nameof(options));
    }

    /// <summary>
    /// The system libjpeg-turbo that JPEG decodes use (<see cref="JpegDecoder.Auto"/>, <see cref="JpegDecoder.LibJpegTurbo"/>),
    /// as the library name that loaded; null when none was found and SkiaSharp decodes every JPEG.
    /// </summary>
    public static string? LibJpegTurboLibrary => TurboJpeg.Library;

    /// <summary>
    /// Whether bilinear decodes of opaque pixels use <see cref="RgbaBilinearSampler"/> (default) or a Skia draw plus
    /// a byte-to-float pass (internal switch for tests and benchmarks).
    /// </summary>
    internal bool UseManagedSampler { get; set; } = true;

    /// <summary>A copy of the options in force.</summary>
    public ImageDecodeOptions Options => _options.Clone();

    /// <summary>Number of channels produced: 3 (RGB), 1 (grayscale) or 4 (RGBA).</summary>
    public int Channels => ChannelCount(_options.ColorMode);

    /// <summary>Number of floats one decoded image occupies when <see cref="ImageDecodeOptions.TargetSize"/> is set.</summary>
    /// <exception cref="InvalidOperationException">No target size is set.</exception>
    public int ValuesPerImage => _options.TargetSize is { } s ? Channels * s.Width * s.Height : throw new InvalidOperationException("No TargetSize set.");

    /// <summary>Reads the header of <paramref name="path"/>: size, orientation and format, without decoding pixels.</summary>
    /// <exception cref="ImageDecodeException">The file is empty, unreadable or not an image SkiaSharp recognises.</exception>
    public static ImageHeader ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var codec = ImageCodec.Open(path);
        return ImageCodec.HeaderOf(codec);
    }

    /// <summary>Decodes one file into a new float32 C×H×W array (values 0..255, <see cref="Channels"/> planes).</summary>
    /// <param name="path">The image file.</param>
    /// <param name="height">The decoded height: the target height, or the oriented file's height without a target size.</param>
    /// <param name="width">The decoded width.</param>
    /// <exception cref="ImageTooLargeException">The header announces more than <see cref="ImageDecodeOptions.MaxPixels"/> pixels.</exception>
    /// <exception cref="ImageDecodeException">The file is empty, truncated, corrupt or not an image; the message names it.</exception>
    public float[] Decode(string path, out int height, out int width)
    {
        ArgumentNullException.ThrowIfNull(path);
        return DecodeToArray(path, out width, out height);
    }

    /// <summary>
    /// Decodes one file to the target size into <paramref name="destination"/>: C×H×W floats (values 0..255), at least
    /// <see cref="ValuesPerImage"/> of them — for example one image's slice of a batch buffer.
    /// </summary>
    /// <param name="path">The image file.</param>
    /// <param name="destination">Where the pixels go; only the first <see cref="ValuesPerImage"/> values are written.</param>
    /// <exception cref="InvalidOperationException">No target size is set.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="ValuesPerImage"/>.</exception>
    /// <exception cref="ImageTooLargeException">The header announces more than <see cref="ImageDecodeOptions.MaxPixels"/> pixels.</exception>
    /// <exception cref="ImageDecodeException">The file is empty, truncated, corrupt or not an image; the message names it.</exception>
    public void DecodeInto(string path, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(path);
        DecodeInto(path, destination, null, Resampling.Default);
    }

    /// <summary>
    /// Decodes one file to the target size with an augmentation map folded into the same resample: the output pixel
    /// (row, col) takes the value the resized image would have at <paramref name="augment"/>(row, col), samples outside
    /// the resized image following <paramref name="resampling"/>'s fill mode. One resample for orientation, crop,
    /// resize and augmentation. Bilinear decodes of opaque pixels go through <see cref="RgbaBilinearSampler"/> (every
    /// fill mode); the rest through a Skia draw, which only has the nearest and reflect rules.
    /// </summary>
    internal void DecodeInto(string path, Span<float> destination, AffineMatrix? augment, Resampling resampling)
    {
        var size = _options.TargetSize ?? throw new InvalidOperationException("DecodeInto needs ImageDecodeOptions.TargetSize.");
        if (destination.Length < Channels * size.Width * size.Height)
            throw new ArgumentException($"The destination holds {destination.Length} values; one {Channels} x {size.Height} x {size.Width} image needs {Channels * size.Width * size.Height}.", nameof(destination));
        using var rendered = Render(path, augment, resampling, destination);
        if (rendered is not null)
            PlaneWriter.Write(rendered, _options.ColorMode, destination);
    }

    /// <summary>
    /// Whether every file decoded under <paramref name="options"/> can take an augmentation map with
    /// <paramref name="fillMode"/> exactly as the tensor path would apply it: RGB and grayscale output with a target
    /// size always can (any interpolation, fill mode and crop: bilinear through <see cref="RgbaBilinearSampler"/>'s
    /// composed map, nearest, bicubic and area through <see cref="RgbaGridSampler"/> over the resized grid); RGBA
    /// output may keep transparency and then goes through a Skia draw, whose tile modes only have the nearest and
    /// reflect rules and tile the whole decoded image, so it fuses only bilinear decodes without the crop.
    /// </summary>
    internal static bool CanFuse(ImageDecodeOptions options, FillMode fillMode) =>
        options.TargetSize is not null
        && (options.ColorMode != ColorMode.Rgba // RGBA: a file may keep its alpha
            || (options.Interpolation == Interpolation.Bilinear && fillMode is FillMode.Nearest or FillMode.Reflect && !options.KeepAspectRatio));

    /// <summary>
    /// The map from output to input in continuous Skia coordinates (pixel centres at +0.5, x = column) for a map in
    /// scipy's absolute pixel coordinates (pixel centres at integers, row first).
    /// </summary>
    internal static SKMatrix ToSkia(AffineMatrix m) => SkiaDrawing.ToSkia(m);

    private float[] DecodeToArray(string path, out int width, out int height)
    {
        if (_options.TargetSize is { } size)
        {
            (width, height) = (size.Width, size.Height);
            var resized = new float[Channels * size.Width * size.Height];
            DecodeInto(path, resized);
            return resized;
        }
        using var rendered = Render(path, null, Resampling.Default, Span<float>.Empty)!;
        width = rendered.Width;
        height = rendered.Height;
        var values = new float[Channels * width * height];
        PlaneWriter.Write(rendered, _options.ColorMode, values);
        return values;
    }

    internal static int ChannelCount(ColorMode mode) => mode switch { ColorMode.Grayscale => 1, ColorMode.Rgba => 4, _ => 3 };

    /// <summary>
    /// Decodes, orients, crops and resizes; returns an RGBA8888 bitmap (premultiplied or opaque), or null when the
    /// pixels went straight into <paramref name="destination"/> (opaque pixels, a target size and a destination, and
    /// either a bilinear decode or an augmentation map to fold in).
    /// </summary>
    private SKBitmap? Render(string path, AffineMatrix? augment, Resampling resampling, Span<float> destination)
    {
        using var codec = ImageCodec.Open(path, out var bytes);
        var header = ImageCodec.HeaderOf(codec);
        long pixels = (long)header.Width * header.Height;
        if (pixels > _options.MaxPixels)
            throw new ImageTooLargeException(path, header.Width, header.Height, _options.MaxPixels);

        var plan = DecodePlan.Create(codec, header, _options);
        var target = plan.Target;
        bool keepAlpha = _options.ColorMode == ColorMode.Rgba && codec.Info.AlphaType != SKAlphaType.Opaque;
        var decodeInfo = new SKImageInfo(plan.DecodeWidth, plan.DecodeHeight, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        bool managed = !keepAlpha && _options.TargetSize is not null && !destination.IsEmpty;

        if (managed && (_options.Interpolation == Interpolation.Nearest || (UseManagedSampler && _options.Interpolation == Interpolation.Bilinear)))
        {
            // Opaque pixels: decode into this thread's scratch buffer, then one managed pass from the decoded bytes into
            // the float planes — bilinear through the composed map, or the augmentation over the nearest resize's grid.
            var scratch = DecodeScratch.Rent(decodeInfo.BytesSize64);
            try
            {
                unsafe
                {
                    fixed (byte* buffer = scratch)
                    {
                        DecodePixels(path, codec, bytes, header, decodeInfo, (IntPtr)buffer);
                        if (_options.Interpolation == Interpolation.Bilinear)
                            RgbaBilinearSampler.Sample(new RgbaBilinearSampler.Source((IntPtr)buffer, plan.DecodeWidth, plan.DecodeHeight, decodeInfo.RowBytes),
                                augment ?? AffineMatrix.Identity, target.Height, target.Width, resampling, plan.ResizedToDecoded(), _options.ColorMode,
                                destination, target.Height, target.Width);
                        else if (augment is { } map)
                        {
                            var (rows, columns) = NearestGrid.Offsets(plan.DecodedToOutput(), target.Height, target.Width,
                                plan.DecodeHeight, plan.DecodeWidth, decodeInfo.RowBytes / 4);
                            RgbaGridSampler.Sample(new RgbaGridSampler.Grid((IntPtr)buffer, rows, columns), map, resampling, _options.ColorMode,
                                destination, target.Height, target.Width);
                        }
                        else
                        {
                            using var resized = DrawResized(codec, decodeInfo, (IntPtr)buffer, decodeInfo.RowBytes, plan, keepAlpha);
                            PlaneWriter.Write(resized, _options.ColorMode, destination);
                        }
                    }
                }
            }
            finally
            {
                DecodeScratch.Return(scratch);
            }
            return null;
        }

        var decoded = new SKBitmap(decodeInfo);
        try
        {
            DecodePixels(path, codec, bytes, header, decodeInfo, decoded.GetPixels());
            if (augment is null && plan.IsIdentity)
            {
                var done = decoded;
                decoded = null!;
                return done;
            }
            if (augment is { } a && managed && _options.Interpolation is Interpolation.Bicubic or Interpolation.Area)
            {
                // Bicubic or area: the resize as the unfused path stores it, then the augmentation's resample over it,
                // both on this thread, with no batch tensor in between.
                using var resized = DrawResized(codec, decodeInfo, decoded.GetPixels(), decoded.RowBytes, plan, keepAlpha);
                var (rows, columns) = RgbaGridSampler.IdentityOffsets(resized.Height, resized.Width, resized.RowBytes / 4);
                RgbaGridSampler.Sample(new RgbaGridSampler.Grid(resized.GetPixels(), rows, columns), a, resampling, _options.ColorMode,
                    destination, target.Height, target.Width);
                return null;
            }
            if (augment is { } m)
            {
                // Alpha kept (or no managed destination): a Skia draw; decoded -> resized image, then the augmentation's
                // inverse (its map goes output -> resized image).
                if (!SkiaDrawing.ToSkia(m).TryInvert(out var inverse))
                    throw new ArgumentException($"The augmentation map {m} is not invertible.", nameof(augment));
                var tile = resampling.FillMode switch
                {
                    FillMode.Nearest => SKShaderTileMode.Clamp, // scipy's aaaa|abcd: the edge pixel extends
                    FillMode.Reflect => SKShaderTileMode.Mirror, // scipy's dcba|abcd: half-sample symmetric
                    _ => throw new InvalidOperationException($"Fill mode {resampling.FillMode} has no Skia tile mode; this decode needs the managed sampler (alpha not kept)."),
                };
                var imageInfo = keepAlpha ? decodeInfo : decodeInfo.WithAlphaType(SKAlphaType.Opaque);
                using var image = SKImage.FromPixels(imageInfo, decoded.GetPixels(), decoded.RowBytes);
                return SkiaDrawing.DrawTiled(image, imageInfo.AlphaType, target.Width, target.Height,
                    SKMatrix.Concat(inverse, plan.DecodedToOutput()), SkiaDrawing.Sampling(_options.Interpolation), tile);
            }
            return DrawResized(codec, decodeInfo, decoded.GetPixels(), decoded.RowBytes, plan, keepAlpha);
        }
        finally
        {
            decoded?.Dispose();
        }
    }

    /// <summary>
    /// The codec's pixels at the planned decode size (unpremultiplied RGBA8888, no colour conversion): through the
    /// system's libjpeg-turbo for a JPEG when <see cref="ImageDecodeOptions.JpegDecoder"/> allows and it decodes the
    /// file cleanly (the same pixels, faster), otherwise through SkiaSharp, whose errors name the file.
    /// </summary>
    private void DecodePixels(string path, SKCodec codec, byte[] bytes, ImageHeader header, SKImageInfo decodeInfo, IntPtr pixels)
    {
        if (_options.JpegDecoder != JpegDecoder.SkiaSharp && header.Format == SKEncodedImageFormat.Jpeg
            && TurboJpeg.TryDecode(bytes, header.Width, header.Height, pixels, decodeInfo.Width, decodeInfo.Height, decodeInfo.RowBytes))
            return;
        ImageCodec.ThrowIfFailed(path, codec.GetPixels(decodeInfo, pixels));
    }

    /// <summary>
    /// The decoded pixels oriented, cropped and resized to the target by a Skia draw with the decode's interpolation
    /// (area: oriented and cropped at the decoded resolution, then averaged). Colour and alpha pass through
    /// unchanged: without alpha the pixels are drawn as opaque (so RGB keeps the colour of transparent pixels, as
    /// Pillow's convert('RGB') does).
    /// </summary>
    private SKBitmap DrawResized(SKCodec codec, SKImageInfo decodeInfo, IntPtr pixels, int rowBytes, DecodePlan plan, bool keepAlpha)
    {
        var imageInfo = keepAlpha ? decodeInfo : decodeInfo.WithAlphaType(SKAlphaType.Opaque);
        using var image = SKImage.FromPixels(imageInfo, pixels, rowBytes);
        var target = plan.Target;
        if (_options.Interpolation == Interpolation.Area && (target.Width < plan.CropWidth || target.Height < plan.CropHeight))
        {
            float rx = (float)plan.DecodeWidth / plan.Header.Width, ry = (float)plan.DecodeHeight / plan.Header.Height;
            if (plan.Swaps) (rx, ry) = (ry, rx);
            int midW = Math.Max(1, (int)Math.Round(plan.CropWidth * rx)), midH = Math.Max(1, (int)Math.Round(plan.CropHeight * ry));
            var toMid = SKMatrix.CreateScale((float)midW / plan.CropWidth, (float)midH / plan.CropHeight);
            using var mid = SkiaDrawing.Draw(image, imageInfo.AlphaType, midW, midH, SKMatrix.Concat(toMid, plan.DecodedToCrop()),
                new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
            return AreaResampler.Resample(mid, target.Width, target.Height);
        }
        return SkiaDrawing.Draw(image, imageInfo.AlphaType, target.Width, target.Height, plan.DecodedToOutput(), SkiaDrawing.Sampling(_options.Interpolation));
    }
}
