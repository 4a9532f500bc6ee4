using SkiaSharp;
using TransferLearning.Augmentation;

namespace TransferLearning.Imaging;

/// <summary>Resampling through a Skia draw (nearest, bicubic, and decodes that keep transparency), and the matrices it needs.</summary>
internal static class SkiaDrawing
{
    /// <summary>
    /// The map from output to input in continuous Skia coordinates (pixel centres at +0.5, x = column) for a map in
    /// scipy's absolute pixel coordinates (pixel centres at integers, row first).
    /// </summary>
    public static SKMatrix ToSkia(AffineMatrix m) => new(
        (float)m.M11, (float)m.M10, (float)(m.M12 + 0.5 - 0.5 * (m.M10 + m.M11)),
        (float)m.M01, (float)m.M00, (float)(m.M02 + 0.5 - 0.5 * (m.M00 + m.M01)),
        0, 0, 1);

    /// <summary>Maps stored-pixel coordinates (width × height) to displayed coordinates for an EXIF origin.</summary>
    public static SKMatrix OrientationMatrix(SKEncodedOrigin origin, int w, int h) => origin switch
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

    /// <summary>The composition applying the last matrix first (<c>Concat(a, b, c)(p) = a(b(c(p)))</c>).</summary>
    public static SKMatrix Concat(params SKMatrix[] matrices)
    {
        var result = matrices[^1];
        for (int i = matrices.Length - 2; i >= 0; i--)
            result = SKMatrix.Concat(matrices[i], result);
        return result;
    }

    /// <summary>Skia's sampling for a decode interpolation (area draws bilinear; its averaging is <see cref="AreaResampler"/>).</summary>
    public static SKSamplingOptions Sampling(Interpolation interpolation) => interpolation switch
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
    public static SKBitmap Draw(SKImage image, SKAlphaType alphaType, int width, int height, SKMatrix matrix, SKSamplingOptions sampling) =>
        DrawTiled(image, alphaType, width, height, matrix, sampling, SKShaderTileMode.Clamp);

    /// <summary>Fills the whole output from <paramref name="image"/> seen through <paramref name="matrix"/> (image → output), tiled beyond its edges.</summary>
    public static SKBitmap DrawTiled(SKImage image, SKAlphaType alphaType, int width, int height, SKMatrix matrix, SKSamplingOptions sampling, SKShaderTileMode tile)
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
}
