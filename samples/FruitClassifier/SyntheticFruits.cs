using SkiaSharp;

namespace FruitClassifier;

/// <summary>
/// Draws a small "fruits fresh and rotten" image set, deterministically from a seed, in the layout of the Kaggle
/// data set the Keras recipe uses: <c>train/</c> and <c>valid/</c>, each with freshapples, freshbanana,
/// freshoranges, rottenapples, rottenbanana and rottenoranges. Fresh fruit is smooth and saturated; rotten fruit is
/// desaturated and brownish, with dark spots and wrinkles.
/// </summary>
public static class SyntheticFruits
{
    /// <summary>The six class folders, in the Kaggle data set's names.</summary>
    public static readonly string[] Classes =
        { "freshapples", "freshbanana", "freshoranges", "rottenapples", "rottenbanana", "rottenoranges" };

    /// <summary>Writes the image set under <paramref name="root"/> (created if missing) and returns it.</summary>
    public static string Generate(string root, int trainPerClass, int validPerClass, int size, int seed)
    {
        foreach (var (split, count, splitSeed) in new[] { ("train", trainPerClass, seed), ("valid", validPerClass, seed + 7919) })
        {
            for (int c = 0; c < Classes.Length; c++)
            {
                string folder = Path.Combine(root, split, Classes[c]);
                Directory.CreateDirectory(folder);
                for (int i = 0; i < count; i++)
                {
                    var random = new Random(HashCode.Combine(splitSeed, c, i) & int.MaxValue);
                    using var bitmap = Draw(Classes[c], size, random);
                    using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 92);
                    using var file = File.Create(Path.Combine(folder, $"{Classes[c]}_{i:D4}.jpg"));
                    data.SaveTo(file);
                }
            }
        }
        return root;
    }

    /// <summary>Draws one fruit of the given class.</summary>
    public static SKBitmap Draw(string className, int size, Random random)
    {
        bool rotten = className.StartsWith("rotten", StringComparison.Ordinal);
        string fruit = className[(rotten ? 6 : 5)..];
        var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);

        // Background: a light table or cloth with a soft gradient.
        var background = Hsv(random.NextSingle() * 360, 0.05f + 0.1f * random.NextSingle(), 0.75f + 0.2f * random.NextSingle());
        using (var bg = new SKPaint())
        {
            bg.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(size, size),
                new[] { background, Shade(background, 0.85f) }, SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, size, size, bg);
        }

        float s = size / 100f;
        canvas.Translate(size / 2f + (random.NextSingle() - 0.5f) * 16 * s, size / 2f + (random.NextSingle() - 0.5f) * 16 * s);
        canvas.RotateDegrees(random.NextSingle() * 360);
        float scale = (0.8f + 0.3f * random.NextSingle()) * s;
        canvas.Scale(scale);

        var (hue, saturation) = fruit switch
        {
            "apples" => (random.NextSingle() < 0.75f ? 355f + 12 * random.NextSingle() : 95f + 15 * random.NextSingle(), 0.85f),
            "banana" => (50f + 6 * random.NextSingle(), 0.9f),
            _ => (28f + 6 * random.NextSingle(), 0.95f),
        };
        var body = Hsv(hue % 360, saturation, 0.85f + 0.1f * random.NextSingle());
        if (rotten) body = Mix(Desaturate(body, 0.55f), new SKColor(110, 75, 40), 0.45f + 0.15f * random.NextSingle());

        using var path = fruit switch
        {
            "apples" => ApplePath(),
            "banana" => BananaPath(),
            _ => OrangePath(),
        };
        using (var paint = new SKPaint { IsAntialias = true })
        {
            paint.Shader = SKShader.CreateRadialGradient(new SKPoint(-10, -12), 45,
                new[] { Shade(body, 1.25f), body, Shade(body, 0.7f) }, new[] { 0f, 0.55f, 1f }, SKShaderTileMode.Clamp);
            canvas.DrawPath(path, paint);
        }

        if (fruit == "oranges")
        {
            using var dimple = new SKPaint { IsAntialias = true, Color = Shade(body, 0.85f).WithAlpha(110) };
            for (int i = 0; i < 60; i++)
            {
                float a = random.NextSingle() * MathF.Tau, r = 30 * MathF.Sqrt(random.NextSingle());
                canvas.DrawCircle(r * MathF.Cos(a), r * MathF.Sin(a), 0.9f, dimple);
            }
        }
        if (fruit == "apples")
        {
            using var stem = new SKPaint { IsAntialias = true, Color = new SKColor(90, 60, 30), StrokeWidth = 2.5f, Style = SKPaintStyle.Stroke };
            canvas.DrawLine(0, -26, 3, -38, stem);
            using var leaf = new SKPaint { IsAntialias = true, Color = rotten ? new SKColor(95, 90, 50) : new SKColor(60, 150, 50) };
            canvas.DrawOval(new SKRect(4, -42, 18, -34), leaf);
        }

        if (rotten)
        {
            canvas.Save();
            canvas.ClipPath(path, antialias: true);
            using var spot = new SKPaint { IsAntialias = true };
            int spots = 4 + random.Next(6);
            for (int i = 0; i < spots; i++)
            {
                float a = random.NextSingle() * MathF.Tau, r = 28 * MathF.Sqrt(random.NextSingle());
                float radius = 3 + 8 * random.NextSingle();
                var center = new SKPoint(r * MathF.Cos(a), r * MathF.Sin(a));
                spot.Shader = SKShader.CreateRadialGradient(center, radius,
                    new[] { new SKColor(40, 25, 10, 235), new SKColor(70, 45, 20, 160), new SKColor(70, 45, 20, 0) },
                    new[] { 0f, 0.6f, 1f }, SKShaderTileMode.Clamp);
                canvas.DrawCircle(center, radius, spot);
            }
            using var wrinkle = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1.2f, Color = new SKColor(50, 35, 20, 150) };
            for (int i = 0; i < 6; i++)
            {
                using var line = new SKPath();
                float x = (random.NextSingle() - 0.5f) * 50, y = (random.NextSingle() - 0.5f) * 50;
                line.MoveTo(x, y);
                line.QuadTo(x + (random.NextSingle() - 0.5f) * 20, y + (random.NextSingle() - 0.5f) * 20,
                            x + (random.NextSingle() - 0.5f) * 30, y + (random.NextSingle() - 0.5f) * 30);
                canvas.DrawPath(line, wrinkle);
            }
            canvas.Restore();
        }
        canvas.Flush();
        return bitmap;
    }

    private static SKPath ApplePath()
    {
        var path = new SKPath();
        path.MoveTo(0, -24);
        path.CubicTo(18, -36, 40, -20, 34, 4);
        path.CubicTo(30, 26, 12, 36, 0, 30);
        path.CubicTo(-12, 36, -30, 26, -34, 4);
        path.CubicTo(-40, -20, -18, -36, 0, -24);
        path.Close();
        return path;
    }

    private static SKPath BananaPath()
    {
        var path = new SKPath();
        path.MoveTo(-42, -10);
        path.QuadTo(0, 40, 42, -10);
        path.LineTo(38, -16);
        path.QuadTo(0, 18, -38, -16);
        path.Close();
        return path;
    }

    private static SKPath OrangePath()
    {
        var path = new SKPath();
        path.AddCircle(0, 0, 32);
        return path;
    }

    private static SKColor Hsv(float h, float s, float v) => SKColor.FromHsv(h, s * 100, Math.Clamp(v, 0, 1) * 100);

    private static SKColor Shade(SKColor c, float f) =>
        new((byte)Math.Clamp(c.Red * f, 0, 255), (byte)Math.Clamp(c.Green * f, 0, 255), (byte)Math.Clamp(c.Blue * f, 0, 255), c.Alpha);

    private static SKColor Mix(SKColor a, SKColor b, float t) =>
        new((byte)(a.Red + (b.Red - a.Red) * t), (byte)(a.Green + (b.Green - a.Green) * t), (byte)(a.Blue + (b.Blue - a.Blue) * t));

    private static SKColor Desaturate(SKColor c, float amount)
    {
        c.ToHsv(out float h, out float s, out float v);
        return SKColor.FromHsv(h, s * (1 - amount), v * 0.9f);
    }
}
