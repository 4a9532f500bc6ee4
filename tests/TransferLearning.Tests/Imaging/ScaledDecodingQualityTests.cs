using SkiaSharp;
using TransferLearning.Imaging;
using Xunit.Abstractions;
using static TorchSharp.torch;
using static TransferLearning.Tests.Imaging.TestImageFiles;

namespace TransferLearning.Tests.Imaging;

/// <summary>
/// Why <see cref="ImageDecodeOptions.UseScaledDecoding"/> is on by default and
/// <see cref="ImageDecodeOptions.UseFineScaledDecoding"/> is not: against an area-averaged resize of the full decode
/// (the ideal for shrinking), a DCT-scaled decode is closer than a full decode from twice the target size, and further
/// below it. The figures in docs/data.md are this test's output
/// (<c>dotnet test tests/TransferLearning.Tests --filter "FullyQualifiedName~ScaledDecodingQuality" --logger "console;verbosity=detailed"</c>).
/// </summary>
public sealed class ScaledDecodingQualityTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly ITestOutputHelper _output;

    public ScaledDecodingQualityTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    /// <summary>Random antialiased discs on white, JPEG quality 95: sharp edges at every scale.</summary>
    private string Discs(int width, int height)
    {
        var random = new Random(width * 31 + height);
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var paint = new SKPaint { IsAntialias = true };
            for (int i = 0; i < 40; i++)
            {
                paint.Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                canvas.DrawCircle(random.Next(width), random.Next(height), random.Next(3, Math.Max(4, width / 6)), paint);
            }
        }
        return WriteJpeg(_dir.Combine($"discs-{width}x{height}.jpg"), bitmap, quality: 95);
    }

    private static float[] Decode(string path, int target, Interpolation interpolation, bool scaled, bool fine)
    {
        using var scope = NewDisposeScope();
        var options = new ImageDecodeOptions
        {
            TargetSize = new SKSizeI(target, target),
            Interpolation = interpolation,
            UseScaledDecoding = scaled,
            UseFineScaledDecoding = fine,
        };
        return new ImageDecoder(options).Decode(path).data<float>().ToArray();
    }

    [Theory]
    [InlineData(1024, 768, 112, false)] // 2/8: from twice the target, the default rule scales
    [InlineData(600, 450, 100, false)]  // 2/8
    [InlineData(900, 900, 300, false)]  // 3/8
    [InlineData(500, 375, 224, true)]   // 5/8: below twice the target, only with fine scales
    [InlineData(320, 240, 150, true)]   // 5/8
    [InlineData(260, 260, 224, true)]   // 7/8
    public void A_scaled_decode_is_closer_to_the_ideal_from_twice_the_target_and_further_below_it(int width, int height, int target, bool fine)
    {
        var path = Discs(width, height);
        var ideal = Decode(path, target, Interpolation.Area, scaled: false, fine: false);
        var full = Decode(path, target, Interpolation.Bilinear, scaled: false, fine: false);
        var scaled = Decode(path, target, Interpolation.Bilinear, scaled: true, fine: fine);
        double fullError = full.Zip(ideal, (a, b) => Math.Abs(a - b)).Average();
        double scaledError = scaled.Zip(ideal, (a, b) => Math.Abs(a - b)).Average();
        _output.WriteLine($"{width} x {height} -> {target}: full decode + bilinear {fullError:F2}, scaled decode + bilinear {scaledError:F2} grey levels from the area-averaged full decode");

        Assert.False(full.SequenceEqual(scaled)); // a scaled decode did happen
        if (fine)
            Assert.True(scaledError > fullError, $"fine scale: scaled {scaledError} vs full {fullError}");
        else
            Assert.True(scaledError < fullError, $"default rule: scaled {scaledError} vs full {fullError}");
    }

    [Theory]
    [InlineData(1024, 768, 112)]
    [InlineData(600, 450, 100)]
    [InlineData(1000, 750, 224)]
    [InlineData(900, 900, 300)]
    [InlineData(640, 480, 224)]
    [InlineData(448, 448, 224)]
    [InlineData(500, 375, 224)]
    [InlineData(320, 240, 150)]
    [InlineData(260, 260, 224)]
    public void With_nearest_resizing_the_default_scales_only_from_four_times_the_target(int width, int height, int target)
    {
        // The default interpolation (Keras'): from a 1/2 or 3/8 decode the nearest picks land further from the ideal
        // than from the full image (they move by up to half a decoded pixel), so the default only scales by 1/4 and
        // 1/8, where the DCT's averaging outweighs that. "Any scale" is what fine scales allow.
        var path = Discs(width, height);
        var ideal = Decode(path, target, Interpolation.Area, scaled: false, fine: false);
        var full = Decode(path, target, Interpolation.Nearest, scaled: false, fine: false);
        var byDefault = Decode(path, target, Interpolation.Nearest, scaled: true, fine: false);
        var anyScale = Decode(path, target, Interpolation.Nearest, scaled: true, fine: true);
        double Error(float[] v) => v.Zip(ideal, (a, b) => Math.Abs(a - b)).Average();
        bool defaultScales = !byDefault.SequenceEqual(full);
        _output.WriteLine($"{width} x {height} -> {target}: full decode + nearest {Error(full):F2}, any scaled decode + nearest {Error(anyScale):F2}, default {(defaultScales ? "scales" : "full decode")} grey levels from the area-averaged full decode");
        Assert.Equal(Math.Min(width, height) >= 4 * target, defaultScales);
        if (defaultScales)
            Assert.True(Error(byDefault) < Error(full), $"default scaled {Error(byDefault)} vs full {Error(full)}");
    }
}
