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
    }

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
        using var codec = OpenCodec(path, out _);
        return HeaderOf(codec);
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
            WritePlanes(rendered, _options.ColorMode, destination);
    }

    /// <summary>
    /// Whether every file decoded under <paramref name="options"/> can take an augmentation map with
    /// <paramref name="fillMode"/> exactly as the tensor path would apply it: RGB and grayscale output always go through
    /// <see cref="RgbaBilinearSampler"/> (any fill mode, any crop); RGBA output may keep transparency and then goes
    /// through a Skia draw, whose tile modes only have the nearest and reflect rules and tile the whole decoded image.
    /// </summary>
    internal static bool CanFuse(ImageDecodeOptions options, FillMode fillMode) =>
        SamplesInManagedCode(options, keepsAlpha: options.ColorMode == ColorMode.Rgba) // RGBA: a file may keep its alpha
        || (options.Interpolation == Interpolation.Bilinear && options.TargetSize is not null
            && fillMode is FillMode.Nearest or FillMode.Reflect && !options.KeepAspectRatio);

    /// <summary>Whether a decode under <paramref name="options"/> resamples with <see cref="RgbaBilinearSampler"/>.</summary>
    private static bool SamplesInManagedCode(ImageDecodeOptions options, bool keepsAlpha) =>
        options.Interpolation == Interpolation.Bilinear && options.TargetSize is not null && !keepsAlpha;

    /// <summary>
    /// The map from output to input in continuous Skia coordinates (pixel centres at +0.5, x = column) for a map in
    /// scipy's absolute pixel coordinates (pixel centres at integers, row first).
    /// </summary>
    internal static SKMatrix ToSkia(AffineMatrix m) => new(
        (float)m.M11, (float)m.M10, (float)(m.M12 + 0.5 - 0.5 * (m.M10 + m.M11)),
        (float)m.M01, (float)m.M00, (float)(m.M02 + 0.5 - 0.5 * (m.M00 + m.M01)),
        0, 0, 1);

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
        WritePlanes(rendered, _options.ColorMode, values);
        return values;
    }

    internal static int ChannelCount(ColorMode mode) => mode switch { ColorMode.Grayscale => 1, ColorMode.Rgba => 4, _ => 3 };

    /// <summary>
    /// Decodes, orients, crops and resizes; returns an RGBA8888 bitmap (premultiplied or opaque), or null when the
    /// pixels went straight into <paramref name="destination"/> (bilinear, opaque, a target size and a destination).
    /// </summary>
    private SKBitmap? Render(string path, AffineMatrix? augment, Resampling resampling, Span<float> destination)
    {
        using var codec = OpenCodec(path, out _);
        var header = HeaderOf(codec);
        long pixels = (long)header.Width * header.Height;
        if (pixels > _options.MaxPixels)
            throw new ImageTooLargeException(path, header.Width, header.Height, _options.MaxPixels);

        var origin = _options.ApplyExifOrientation ? header.Origin : SKEncodedOrigin.TopLeft;
        bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int orientedW = swap ? header.Height : header.Width, orientedH = swap ? header.Width : header.Height;

        // The region of the oriented image that maps onto the output (Keras' keep_aspect_ratio crop).
        var target = _options.TargetSize ?? new SKSizeI(orientedW, orientedH);
        int cropW = orientedW, cropH = orientedH;
        if (_options.KeepAspectRatio && _options.TargetSize is not null)
        {
            cropH = Math.Min(orientedH, (int)((long)orientedW * target.Height / target.Width));
            cropW = Math.Min(orientedW, (int)((long)orientedH * target.Width / target.Height));
        }
        int cropX = (orientedW - cropW) / 2, cropY = (orientedH - cropH) / 2;

        // Scaled decoding when the source is at least twice the target in both directions (or, with fine scales,
        // whenever an n/8 decode still covers it).
        int decodeW = header.Width, decodeH = header.Height;
        int scaledEighths = 8; // the JPEG DCT scale chosen, in eighths
        if (_options.UseScaledDecoding && _options.TargetSize is not null)
        {
            float needed = Math.Max((float)target.Width / cropW, (float)target.Height / cropH);
            double coverage = _options.ScaledDecodingMinimumCoverage;
            int minW = (int)Math.Ceiling(target.Width * coverage - 1e-9), minH = (int)Math.Ceiling(target.Height * coverage - 1e-9);
            // Try the scales JPEG's DCT offers (1/8 .. 4/8, or .. 7/8 when fine scales are allowed) from the smallest
            // up; keep the first that still covers the required part of the target.
            int largest = _options.UseFineScaledDecoding ? 7 : 4;
            for (int eighths = 1; eighths <= largest; eighths++)
            {
                if (eighths / 8f < needed * coverage - 1e-6)
                    continue;
                var scaled = codec.GetScaledDimensions(eighths / 8f);
                if (scaled.Width >= header.Width)
                    break; // no scaled decoding for this format
                float sx = (float)scaled.Width / header.Width, sy = (float)scaled.Height / header.Height;
                if (Math.Floor(cropW * (swap ? sy : sx)) >= minW && Math.Floor(cropH * (swap ? sx : sy)) >= minH)
                {
                    decodeW = scaled.Width;
                    decodeH = scaled.Height;
                    scaledEighths = eighths;
                    break;
                }
            }
        }

        bool keepAlpha = _options.ColorMode == ColorMode.Rgba && codec.Info.AlphaType != SKAlphaType.Opaque;
        var decodeInfo = new SKImageInfo(decodeW, decodeH, SKColorType.Rgba8888, SKAlphaType.Unpremul);

        // Full-resolution pixels per decoded pixel: libjpeg scales by exactly n/8 (rounding the size up), other codecs
        // by the ratio of sizes.
        bool dct = scaledEighths < 8 && header.Format == SKEncodedImageFormat.Jpeg;
        double fullPerDecodedX = dct ? 8.0 / scaledEighths : (double)header.Width / decodeW;
        double fullPerDecodedY = dct ? 8.0 / scaledEighths : (double)header.Height / decodeH;
        var orient = OrientationMatrix(origin, header.Width, header.Height);

        if (UseManagedSampler && SamplesInManagedCode(_options, keepAlpha) && !destination.IsEmpty)
        {
            // Opaque pixels, bilinear: decode into this thread's scratch buffer, then one managed pass from the decoded
            // bytes into the float planes.
            var toSource = ResizedToDecoded(target, cropX, cropY, cropW, cropH, orient, fullPerDecodedX, fullPerDecodedY);
            var scratch = DecodeScratch.Rent(decodeInfo.BytesSize64);
            try
            {
                unsafe
                {
                    fixed (byte* buffer = scratch)
                    {
                        ThrowIfFailed(path, codec.GetPixels(decodeInfo, (IntPtr)buffer));
                        RgbaBilinearSampler.Sample(new RgbaBilinearSampler.Source((IntPtr)buffer, decodeW, decodeH, decodeInfo.RowBytes),
                            augment ?? AffineMatrix.Identity, target.Height, target.Width, resampling, toSource, _options.ColorMode,
                            destination, target.Height, target.Width);
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
            ThrowIfFailed(path, codec.GetPixels(decodeInfo, decoded.GetPixels()));

            bool identity = augment is null && origin == SKEncodedOrigin.TopLeft && cropW == orientedW && cropH == orientedH
                && decodeW == target.Width && decodeH == target.Height;
            if (identity)
            {
                var done = decoded;
                decoded = null!;
                return done;
            }

            // Colour and alpha pass through unchanged: without alpha the pixels are drawn as opaque (so RGB keeps the
            // colour of transparent pixels, as Pillow's convert('RGB') does).
            var imageInfo = keepAlpha ? decodeInfo : decodeInfo.WithAlphaType(SKAlphaType.Opaque);
            using var image = SKImage.FromPixels(imageInfo, decoded.GetPixels(), decoded.RowBytes);

            // Pixel coordinates of the decoded bitmap -> oriented image at full resolution -> crop -> output.
            var toFull = SKMatrix.CreateScale((float)fullPerDecodedX, (float)fullPerDecodedY);
            var crop = SKMatrix.CreateTranslation(-cropX, -cropY);

            if (_options.Interpolation == Interpolation.Area && (target.Width < cropW || target.Height < cropH))
            {
                // Orient and crop at the decoded resolution, then average areas.
                float rx = (float)decodeW / header.Width, ry = (float)decodeH / header.Height;
                if (swap) (rx, ry) = (ry, rx);
                int midW = Math.Max(1, (int)Math.Round(cropW * rx)), midH = Math.Max(1, (int)Math.Round(cropH * ry));
                var toMid = SKMatrix.CreateScale((float)midW / cropW, (float)midH / cropH);
                using var mid = Draw(image, imageInfo.AlphaType, midW, midH, Concat(toMid, crop, orient, toFull), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
                return AreaResample(mid, target.Width, target.Height);
            }

            var toOutput = SKMatrix.CreateScale((float)target.Width / cropW, (float)target.Height / cropH);
            if (augment is { } a)
            {
                // decoded -> resized image, then the augmentation's inverse (its map goes output -> resized image).
                var toResized = Concat(toOutput, crop, orient, toFull);
                if (!ToSkia(a).TryInvert(out var inverse))
                    throw new ArgumentException($"The augmentation map {a} is not invertible.", nameof(augment));
                var tile = resampling.FillMode switch
                {
                    FillMode.Nearest => SKShaderTileMode.Clamp, // scipy's aaaa|abcd: the edge pixel extends
                    FillMode.Reflect => SKShaderTileMode.Mirror, // scipy's dcba|abcd: half-sample symmetric
                    _ => throw new InvalidOperationException($"Fill mode {resampling.FillMode} has no Skia tile mode; this decode needs the managed sampler (bilinear, alpha not kept)."),
                };
                return DrawTiled(image, imageInfo.AlphaType, target.Width, target.Height, SKMatrix.Concat(inverse, toResized), Sampling(_options.Interpolation), tile);
            }
            return Draw(image, imageInfo.AlphaType, target.Width, target.Height, Concat(toOutput, crop, orient, toFull), Sampling(_options.Interpolation));
        }
        finally
        {
            decoded?.Dispose();
        }
    }

    private static void ThrowIfFailed(string path, SKCodecResult result)
    {
        if (result != SKCodecResult.Success)
            throw new ImageDecodeException(path, result switch
            {
                SKCodecResult.IncompleteInput => "the file is truncated (the codec ran out of data before the last row: IncompleteInput).",
                SKCodecResult.ErrorInInput => "the data is corrupt (the codec reported ErrorInInput).",
                _ => $"SkiaSharp's codec failed ({result}).",
            });
    }

    /// <summary>
    /// The map from the resized image to the decoded pixels in scipy's coordinates (pixel centres at integers, row
    /// first), composed in float64: resized → crop of the oriented image → stored full-resolution pixels → decoded.
    /// </summary>
    private static AffineMatrix ResizedToDecoded(SKSizeI target, int cropX, int cropY, int cropW, int cropH, SKMatrix orient,
        double fullPerDecodedX, double fullPerDecodedY)
    {
        // Continuous coordinates (pixel edges at integers), row first.
        var centreToEdge = new AffineMatrix(1, 0, 0.5, 0, 1, 0.5);
        var edgeToCentre = new AffineMatrix(1, 0, -0.5, 0, 1, -0.5);
        var resizedToOriented = new AffineMatrix((double)cropH / target.Height, 0, cropY, 0, (double)cropW / target.Width, cropX);
        if (!orient.TryInvert(out var displayedToStored)) // entries are 0, ±1 and the image size: exact in float
            throw new InvalidOperationException("An EXIF orientation matrix was not invertible.");
        var orientedToStored = new AffineMatrix(displayedToStored.ScaleY, displayedToStored.SkewY, displayedToStored.TransY,
            displayedToStored.SkewX, displayedToStored.ScaleX, displayedToStored.TransX);
        var storedToDecoded = new AffineMatrix(1 / fullPerDecodedY, 0, 0, 0, 1 / fullPerDecodedX, 0);
        // Then composes: a.Then(b) maps p to a(b(p)).
        return edgeToCentre.Then(storedToDecoded).Then(orientedToStored).Then(resizedToOriented).Then(centreToEdge);
    }

    private static SKMatrix Concat(SKMatrix a, SKMatrix b, SKMatrix c, SKMatrix d) =>
        SKMatrix.Concat(a, SKMatrix.Concat(b, SKMatrix.Concat(c, d)));

    private static SKSamplingOptions Sampling(Interpolation interpolation) => interpolation switch
    {
        Interpolation.Bilinear or Interpolation.Area => new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None),
        Interpolation.Bicubic => new SKSamplingOptions(SKCubicResampler.CatmullRom),
        _ => new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None),
    };

    /// <summary>
    /// Draws <paramref name="image"/> through <paramref name="matrix"/> (image → output), edges clamped. Through an image
    /// shader rather than <c>DrawImage</c>: Skia draws a translation-only matrix as a sprite, snapping a half-pixel
    /// offset (a keep-aspect crop of a half-scale decode) to whole pixels.
    /// </summary>
    private static SKBitmap Draw(SKImage image, SKAlphaType alphaType, int width, int height, SKMatrix matrix, SKSamplingOptions sampling) =>
        DrawTiled(image, alphaType, width, height, matrix, sampling, SKShaderTileMode.Clamp);

    /// <summary>Fills the whole output from <paramref name="image"/> seen through <paramref name="matrix"/> (image → output), tiled beyond its edges.</summary>
    private static SKBitmap DrawTiled(SKImage image, SKAlphaType alphaType, int width, int height, SKMatrix matrix, SKSamplingOptions sampling, SKShaderTileMode tile)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, alphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul);
        var bitmap = new SKBitmap(info);
        try
        {
            using var canvas = new SKCanvas(bitmap);
            using var shader = image.ToShader(tile, tile, sampling, matrix);
            using var paint = new SKPaint { BlendMode = SKBlendMode.Src, Shader = shader };
            canvas.DrawRect(new SKRect(0, 0, width, height), paint);
            canvas.Flush();
            return bitmap;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    /// <summary>Maps stored-pixel coordinates (width × height) to displayed coordinates for an EXIF origin.</summary>
    internal static SKMatrix OrientationMatrix(SKEncodedOrigin origin, int w, int h) => origin switch
    {
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
        _ => SKMatrix.Identity,
    };

    private static SKCodec OpenCodec(string path, out long length)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, $"the file could not be read ({e.Message}).", e);
        }
        length = bytes.Length;
        if (bytes.Length == 0)
            throw new ImageDecodeException(path, "the file is empty (0 bytes).");
        var stream = new SKMemoryStream(bytes);
        var codec = SKCodec.Create(stream, out var result); // takes ownership of the stream
        if (codec is null)
            stream.Dispose();
        if (codec is null)
            throw new ImageDecodeException(path, $"SkiaSharp does not recognise it as an image ({result}); it may be corrupt or of another type despite its extension.");
        return codec;
    }

    private static ImageHeader HeaderOf(SKCodec codec) => new(codec.Info.Width, codec.Info.Height, codec.EncodedOrigin, codec.EncodedFormat);

    /// <summary>Box filter (area averaging) from an RGBA bitmap to width × height; each output pixel averages the source area it covers.</summary>
    private static SKBitmap AreaResample(SKBitmap source, int width, int height)
    {
        int sw = source.Width, sh = source.Height;
        bool premul = source.AlphaType == SKAlphaType.Premul;
        var src = source.GetPixelSpan();
        var (xIndex, xWeight, xCount) = AreaWeights(sw, width);
        var (yIndex, yWeight, yCount) = AreaWeights(sh, height);
        // Horizontal pass into floats (sh × width × 4), then vertical pass.
        var horizontal = new float[sh * width * 4];
        for (int y = 0; y < sh; y++)
        {
            int row = y * source.RowBytes;
            for (int x = 0; x < width; x++)
            {
                float r = 0, g = 0, b = 0, a = 0;
                int start = x * xCount;
                for (int k = 0; k < xCount; k++)
                {
                    float wgt = xWeight[start + k];
                    if (wgt == 0) continue;
                    int p = row + 4 * xIndex[start + k];
                    r += wgt * src[p]; g += wgt * src[p + 1]; b += wgt * src[p + 2]; a += wgt * src[p + 3];
                }
                int o = 4 * (y * width + x);
                horizontal[o] = r; horizontal[o + 1] = g; horizontal[o + 2] = b; horizontal[o + 3] = a;
            }
        }
        var output = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, premul ? SKAlphaType.Premul : SKAlphaType.Opaque));
        var dst = output.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            int start = y * yCount;
            for (int x = 0; x < width; x++)
            {
                float r = 0, g = 0, b = 0, a = 0;
                for (int k = 0; k < yCount; k++)
                {
                    float wgt = yWeight[start + k];
                    if (wgt == 0) continue;
                    int p = 4 * (yIndex[start + k] * width + x);
                    r += wgt * horizontal[p]; g += wgt * horizontal[p + 1]; b += wgt * horizontal[p + 2]; a += wgt * horizontal[p + 3];
                }
                int o = y * output.RowBytes + 4 * x;
                dst[o] = ToByte(r); dst[o + 1] = ToByte(g); dst[o + 2] = ToByte(b); dst[o + 3] = premul ? ToByte(a) : (byte)255;
            }
        }
        return output;
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);

    /// <summary>For each output index, the source indices and weights (summing to 1) of the area it covers.</summary>
    internal static (int[] Index, float[] Weight, int Count) AreaWeights(int sourceSize, int outputSize)
    {
        double scale = (double)sourceSize / outputSize;
        if (scale < 1)
        {
            // Enlarging along this axis: linear interpolation between the two nearest samples (pixel centres aligned).
            var idx = new int[outputSize * 2];
            var wts = new float[outputSize * 2];
            for (int i = 0; i < outputSize; i++)
            {
                double c = Math.Clamp((i + 0.5) * scale - 0.5, 0, sourceSize - 1);
                int i0 = (int)Math.Floor(c);
                int i1 = Math.Min(i0 + 1, sourceSize - 1);
                double f = c - i0;
                idx[2 * i] = i0; wts[2 * i] = (float)(1 - f);
                idx[2 * i + 1] = i1; wts[2 * i + 1] = (float)f;
            }
            return (idx, wts, 2);
        }
        int count = (int)Math.Ceiling(scale) + 1;
        var index = new int[outputSize * count];
        var weight = new float[outputSize * count];
        for (int i = 0; i < outputSize; i++)
        {
            double lo = i * scale, hi = (i + 1) * scale;
            int first = (int)Math.Floor(lo);
            for (int k = 0; k < count; k++)
            {
                int s = first + k;
                double overlap = s < sourceSize ? Math.Max(0, Math.Min(hi, s + 1) - Math.Max(lo, s)) : 0;
                index[i * count + k] = Math.Min(s, sourceSize - 1);
                weight[i * count + k] = (float)(overlap / scale);
            }
        }
        return (index, weight, count);
    }

    /// <summary>Writes an RGBA8888 bitmap (opaque or premultiplied) as C×H×W floats 0..255 in the given colour mode.</summary>
    private static void WritePlanes(SKBitmap bitmap, ColorMode mode, Span<float> destination)
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
