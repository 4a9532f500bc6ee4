using SkiaSharp;

namespace TransferLearning.Benchmarks.Data;

/// <summary>
/// The loader benchmarks' data: 1,000 photo-like 500 × 375 JPEGs (quality 90) in 4 classes of 250, generated once
/// into the temp folder and reused (a marker file says the set is complete).
/// </summary>
internal static class BenchmarkImages
{
    public const int Count = 1000, Classes = 4, Width = 500, Height = 375;

    public static string EnsureDataset()
    {
        var root = Path.Combine(Path.GetTempPath(), "transferlearning-bench", "loader-jpeg-500x375-v1");
        var marker = Path.Combine(root, ".complete");
        if (File.Exists(marker))
            return root;
        for (int i = 0; i < Count; i++)
        {
            var dir = Path.Combine(root, $"class{i % Classes}");
            Directory.CreateDirectory(dir);
            using var bitmap = PhotoLike(Width, Height, seed: i);
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(Path.Combine(dir, $"img{i:D4}.jpg"), data.ToArray());
        }
        File.WriteAllText(marker, "1000 images");
        return root;
    }

    /// <summary>Gradients, soft blurred shapes and fine texture, so JPEG sizes and decode costs resemble photos.</summary>
    public static SKBitmap PhotoLike(int width, int height, int seed)
    {
        var random = new Random(seed);
        SKColor Colour() => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height), new[] { Colour(), Colour(), Colour() }, SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = shader })
            canvas.DrawRect(0, 0, width, height, paint);
        using var blur = SKImageFilter.CreateBlur(6, 6);
        for (int i = 0; i < 15; i++)
        {
            using var paint = new SKPaint { Color = Colour().WithAlpha((byte)random.Next(90, 230)), IsAntialias = true, ImageFilter = blur };
            canvas.DrawOval(random.Next(width), random.Next(height), random.Next(15, width / 4), random.Next(15, height / 4), paint);
        }
        // Fine texture (foliage, fabric, noise) is what makes photos expensive to encode and decode.
        using var texture = new SKPaint();
        for (int i = 0; i < 6000; i++)
        {
            texture.Color = Colour().WithAlpha((byte)random.Next(20, 90));
            canvas.DrawRect(random.Next(width), random.Next(height), random.Next(1, 4), random.Next(1, 4), texture);
        }
        return bitmap;
    }
}
