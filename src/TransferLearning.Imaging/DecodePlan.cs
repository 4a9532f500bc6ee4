using SkiaSharp;
using TransferLearning.Augmentation;

namespace TransferLearning.Imaging;

/// <summary>
/// What one decode does before any pixel is read: the EXIF orientation, the region of the oriented image that maps
/// onto the output (Keras' keep-aspect-ratio crop), the codec's scaled (DCT) decode size, and the maps between them.
/// </summary>
internal sealed class DecodePlan
{
    private DecodePlan(ImageHeader header, SKEncodedOrigin origin, SKSizeI target, int cropX, int cropY, int cropW, int cropH,
        int decodeW, int decodeH, double fullPerDecodedX, double fullPerDecodedY)
    {
        Header = header;
        Origin = origin;
        Target = target;
        (CropX, CropY, CropWidth, CropHeight) = (cropX, cropY, cropW, cropH);
        (DecodeWidth, DecodeHeight) = (decodeW, decodeH);
        (FullPerDecodedX, FullPerDecodedY) = (fullPerDecodedX, fullPerDecodedY);
        Orientation = SkiaDrawing.OrientationMatrix(origin, header.Width, header.Height);
    }

    public ImageHeader Header { get; }

    /// <summary>The EXIF origin applied (top-left when orientation is ignored).</summary>
    public SKEncodedOrigin Origin { get; }

    /// <summary>Whether the orientation swaps width and height.</summary>
    public bool Swaps => Origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    /// <summary>The output size: the target, or the oriented image's size without one.</summary>
    public SKSizeI Target { get; }

    public int OrientedWidth => Swaps ? Header.Height : Header.Width;

    public int OrientedHeight => Swaps ? Header.Width : Header.Height;

    /// <summary>The region of the oriented, full-resolution image that maps onto the output.</summary>
    public int CropX { get; }
    public int CropY { get; }
    public int CropWidth { get; }
    public int CropHeight { get; }

    /// <summary>The size the codec decodes to (the stored size, or a DCT-scaled one).</summary>
    public int DecodeWidth { get; }
    public int DecodeHeight { get; }

    /// <summary>Full-resolution pixels per decoded pixel, per stored direction.</summary>
    public double FullPerDecodedX { get; }
    public double FullPerDecodedY { get; }

    /// <summary>Stored → displayed pixel coordinates for the EXIF origin (Skia convention, x first).</summary>
    public SKMatrix Orientation { get; }

    /// <summary>Whether the decoded pixels already are the output: no orientation, crop, scaling or augmentation.</summary>
    public bool IsIdentity => Origin == SKEncodedOrigin.TopLeft && CropWidth == OrientedWidth && CropHeight == OrientedHeight
        && DecodeWidth == Target.Width && DecodeHeight == Target.Height;

    /// <summary>Plans the decode of an open codec under <paramref name="options"/>.</summary>
    public static DecodePlan Create(SKCodec codec, ImageHeader header, ImageDecodeOptions options)
    {
        var origin = options.ApplyExifOrientation ? header.Origin : SKEncodedOrigin.TopLeft;
        bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int orientedW = swap ? header.Height : header.Width, orientedH = swap ? header.Width : header.Height;

        // The region of the oriented image that maps onto the output (Keras' keep_aspect_ratio crop).
        var target = options.TargetSize ?? new SKSizeI(orientedW, orientedH);
        int cropW = orientedW, cropH = orientedH;
        if (options.KeepAspectRatio && options.TargetSize is not null)
        {
            cropH = Math.Min(orientedH, (int)((long)orientedW * target.Height / target.Width));
            cropW = Math.Min(orientedW, (int)((long)orientedH * target.Width / target.Height));
        }
        int cropX = (orientedW - cropW) / 2, cropY = (orientedH - cropH) / 2;

        // Scaled decoding when the source is at least twice the target in both directions (four times for a nearest
        // resize; with fine scales, whenever an n/8 decode still covers it).
        int decodeW = header.Width, decodeH = header.Height;
        int scaledEighths = 8; // the JPEG DCT scale chosen, in eighths
        if (options.UseScaledDecoding && options.TargetSize is not null)
        {
            float needed = Math.Max((float)target.Width / cropW, (float)target.Height / cropH);
            double coverage = options.ScaledDecodingMinimumCoverage;
            int minW = (int)Math.Ceiling(target.Width * coverage - 1e-9), minH = (int)Math.Ceiling(target.Height * coverage - 1e-9);
            // Try the scales JPEG's DCT offers (1/8 .. 4/8, or .. 7/8 when fine scales are allowed) from the smallest
            // up; keep the first that still covers the required part of the target. A nearest resize only gains from
            // 1/8 and 2/8 (from four times the target): from a 3/8 or 4/8 decode its picks land further from an ideal
            // downscale than from the full image (docs/data.md's table).
            int largest = options.UseFineScaledDecoding ? 7 : options.Interpolation == Interpolation.Nearest ? 2 : 4;
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

        // Full-resolution pixels per decoded pixel: libjpeg scales by exactly n/8 (rounding the size up), other codecs
        // by the ratio of sizes.
        bool dct = scaledEighths < 8 && header.Format == SKEncodedImageFormat.Jpeg;
        double fullPerDecodedX = dct ? 8.0 / scaledEighths : (double)header.Width / decodeW;
        double fullPerDecodedY = dct ? 8.0 / scaledEighths : (double)header.Height / decodeH;
        return new DecodePlan(header, origin, target, cropX, cropY, cropW, cropH, decodeW, decodeH, fullPerDecodedX, fullPerDecodedY);
    }

    /// <summary>Decoded pixel coordinates → the displayed output (Skia convention, x first): scale back, orient, crop, resize.</summary>
    public SKMatrix DecodedToOutput() => SkiaDrawing.Concat(
        SKMatrix.CreateScale((float)Target.Width / CropWidth, (float)Target.Height / CropHeight), DecodedToCrop());

    /// <summary>Decoded pixel coordinates → the crop of the oriented full-resolution image (Skia convention).</summary>
    public SKMatrix DecodedToCrop() => SkiaDrawing.Concat(SKMatrix.CreateTranslation(-CropX, -CropY), Orientation,
        SKMatrix.CreateScale((float)FullPerDecodedX, (float)FullPerDecodedY));

    /// <summary>
    /// The map from the resized image to the decoded pixels in scipy's coordinates (pixel centres at integers, row
    /// first), composed in float64: resized → crop of the oriented image → stored full-resolution pixels → decoded.
    /// </summary>
    public AffineMatrix ResizedToDecoded()
    {
        // Continuous coordinates (pixel edges at integers), row first.
        var centreToEdge = new AffineMatrix(1, 0, 0.5, 0, 1, 0.5);
        var edgeToCentre = new AffineMatrix(1, 0, -0.5, 0, 1, -0.5);
        var resizedToOriented = new AffineMatrix((double)CropHeight / Target.Height, 0, CropY, 0, (double)CropWidth / Target.Width, CropX);
        if (!Orientation.TryInvert(out var displayedToStored)) // entries are 0, ±1 and the image size: exact in float
            throw new InvalidOperationException("An EXIF orientation matrix was not invertible.");
        var orientedToStored = new AffineMatrix(displayedToStored.ScaleY, displayedToStored.SkewY, displayedToStored.TransY,
            displayedToStored.SkewX, displayedToStored.ScaleX, displayedToStored.TransX);
        var storedToDecoded = new AffineMatrix(1 / FullPerDecodedY, 0, 0, 0, 1 / FullPerDecodedX, 0);
        // Then composes: a.Then(b) maps p to a(b(p)).
        return edgeToCentre.Then(storedToDecoded).Then(orientedToStored).Then(resizedToOriented).Then(centreToEdge);
    }
}
