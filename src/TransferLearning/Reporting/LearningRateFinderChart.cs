using System.Globalization;
using SkiaSharp;
using TransferLearning.Training;

namespace TransferLearning.Reporting;

/// <summary>The PNG chart of a learning-rate range test: loss against the rate on a log scale, with the suggestions marked.</summary>
public static class LearningRateFinderChart
{
    private static readonly SKColor RawColor = new(0xb0, 0xc4, 0xde);
    private static readonly SKColor SmoothColor = new(0x1f, 0x77, 0xb4);
    private static readonly SKColor TextColor = new(0x30, 0x30, 0x30);
    private static readonly SKColor GridColor = new(0xe0, 0xe0, 0xe0);
    private static readonly (string Name, SKColor Color)[] Marks =
        { ("valley", new SKColor(0xd6, 0x27, 0x28)), ("steep", new SKColor(0x2c, 0xa0, 0x2c)), ("minimum/10", new SKColor(0x94, 0x67, 0xbd)) };

    /// <summary>
    /// Writes a PNG: each batch's loss (light) and the smoothed loss (dark) against the learning rate (log scale), the
    /// suggested rates as vertical lines with their values, and the range they were read from shaded.
    /// </summary>
    /// <param name="result">The test's result.</param>
    /// <param name="path">The PNG file (replaced atomically).</param>
    /// <param name="width">Width in pixels (≥ 400). Default 900.</param>
    /// <param name="height">Height in pixels (≥ 300). Default 500.</param>
    public static void SaveChart(this LearningRateFinderResult result, string path, int width = 900, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (width < 400) throw new ArgumentOutOfRangeException(nameof(width), $"width must be >= 400; got {width}.");
        if (height < 300) throw new ArgumentOutOfRangeException(nameof(height), $"height must be >= 300; got {height}.");
        var rates = result.LearningRates;
        if (rates.Count < 2) throw new ArgumentException("The result has fewer than two points to draw.", nameof(result));

        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 13);
        using var titleFont = new SKFont(SKTypeface.FromFamilyName(null, SKFontStyle.Bold), 16);
        using var text = new SKPaint { Color = TextColor, IsAntialias = true };
        using var grid = new SKPaint { Color = GridColor, StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        var plot = new SKRect(75, 50, width - 25, height - 60);
        canvas.DrawText($"Learning-rate finder ({result.Phase} phase, {rates.Count} batches{(result.Diverged ? ", stopped at divergence" : "")})",
            plot.Left, 30, SKTextAlign.Left, titleFont, text);

        // y range: from the lowest raw or smoothed loss up to at most 3x the smoothed fall above the smoothed minimum, so a
        // diverging last batch does not flatten the rest (higher raw points are clipped to the top).
        var smooth = result.SmoothedLosses.Where(double.IsFinite).ToArray();
        double rawMin = result.Losses.Where(double.IsFinite).DefaultIfEmpty(smooth.Min()).Min();
        double yMin = Math.Min(smooth.Min(), rawMin), yMax = Math.Min(smooth.Max(), smooth.Min() + 3 * (smooth.First() - smooth.Min() + 1e-9));
        if (!(yMax > yMin)) yMax = yMin + 1;
        double pad = (yMax - yMin) * 0.08;
        (yMin, yMax) = (yMin - pad, yMax + pad);
        double lMin = Math.Log10(rates[0]), lMax = Math.Log10(rates[^1]);
        if (!(lMax > lMin)) lMax = lMin + 1;
        float X(double rate) => plot.Left + (float)((Math.Log10(rate) - lMin) / (lMax - lMin)) * plot.Width;
        float Y(double v) => plot.Bottom - (float)((Math.Clamp(v, yMin, yMax) - yMin) / (yMax - yMin)) * plot.Height;

        using (var shade = new SKPaint { Color = new SKColor(0xf3, 0xf3, 0xf3), Style = SKPaintStyle.Fill })
            canvas.DrawRect(new SKRect(X(rates[result.SuggestionStart]), plot.Top, X(rates[Math.Max(result.SuggestionStart, result.SuggestionEnd - 1)]), plot.Bottom), shade);
        for (int i = 0; i <= 5; i++)
        {
            double v = yMin + (yMax - yMin) * i / 5;
            canvas.DrawLine(plot.Left, Y(v), plot.Right, Y(v), grid);
            canvas.DrawText(v.ToString("0.###", CultureInfo.InvariantCulture), plot.Left - 8, Y(v) + 4, SKTextAlign.Right, font, text);
        }
        for (int e = (int)Math.Ceiling(lMin); e <= (int)Math.Floor(lMax); e++)
        {
            double rate = Math.Pow(10, e);
            canvas.DrawLine(X(rate), plot.Top, X(rate), plot.Bottom, grid);
            canvas.DrawText($"1e{e}", X(rate), plot.Bottom + 20, SKTextAlign.Center, font, text);
        }
        canvas.DrawText("learning rate (log scale)", plot.MidX, plot.Bottom + 42, SKTextAlign.Center, font, text);
        canvas.DrawText("loss", plot.Left - 55, plot.MidY, SKTextAlign.Center, font, text);
        using (var axis = new SKPaint { Color = TextColor, StrokeWidth = 1, Style = SKPaintStyle.Stroke })
            canvas.DrawRect(plot, axis);

        DrawCurve(canvas, rates, result.Losses, X, Y, RawColor, 1.5f);
        DrawCurve(canvas, rates, result.SmoothedLosses, X, Y, SmoothColor, 2.5f);

        var values = new[] { result.Valley, result.Steepest, result.Minimum };
        for (int m = 0; m < Marks.Length; m++)
        {
            using var line = new SKPaint { Color = Marks[m].Color, StrokeWidth = 2, Style = SKPaintStyle.Stroke, IsAntialias = true, PathEffect = SKPathEffect.CreateDash(new[] { 6f, 4f }, 0) };
            float x = X(values[m]);
            canvas.DrawLine(x, plot.Top, x, plot.Bottom, line);
            using var label = new SKPaint { Color = Marks[m].Color, IsAntialias = true };
            // Legend rows in the top right corner: name and value, so labels never overlap however close the lines are.
            canvas.DrawLine(plot.Right - 190, plot.Top + 22 + 20 * m, plot.Right - 166, plot.Top + 22 + 20 * m, line);
            canvas.DrawText($"{Marks[m].Name} {values[m].ToString("0.##e+0", CultureInfo.InvariantCulture)}", plot.Right - 160, plot.Top + 27 + 20 * m, SKTextAlign.Left, font, label);
        }
        ChartFile.SavePng(surface, path);
    }

    private static void DrawCurve(SKCanvas canvas, IReadOnlyList<double> x, IReadOnlyList<double> y, Func<double, float> X, Func<double, float> Y, SKColor color, float width)
    {
        using var paint = new SKPaint { Color = color, StrokeWidth = width, Style = SKPaintStyle.Stroke, IsAntialias = true };
        using var path = new SKPath();
        bool open = false;
        for (int i = 0; i < y.Count; i++)
        {
            if (!double.IsFinite(y[i])) { open = false; continue; }
            if (open) path.LineTo(X(x[i]), Y(y[i]));
            else path.MoveTo(X(x[i]), Y(y[i]));
            open = true;
        }
        canvas.DrawPath(path, paint);
    }
}
