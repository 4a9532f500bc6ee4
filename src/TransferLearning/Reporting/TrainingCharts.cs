using System.Globalization;
using SkiaSharp;
using TransferLearning.Training;

namespace TransferLearning.Reporting;

/// <summary>
/// PNG charts of training with SkiaSharp: loss and accuracy per epoch across both phases, and confusion matrices; also as
/// extension methods (<c>history.SaveChart(path)</c>, <c>evaluation.SaveConfusionMatrixChart(path)</c>). Reporting depends on
/// Training, never the other way round.
/// </summary>
public static class TrainingCharts
{
    /// <summary>Renders loss (left) and accuracy (right) per epoch as a PNG (see <see cref="SaveHistoryChart"/>).</summary>
    /// <param name="history">The history to draw.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="width">Image width in pixels. Default 1200.</param>
    /// <param name="height">Image height in pixels. Default 500.</param>
    public static void SaveChart(this TrainingHistory history, string path, int width = 1200, int height = 500) => SaveHistoryChart(history, path, width, height);

    /// <summary>Renders the confusion matrix as a PNG (see <see cref="SaveConfusionMatrix"/>).</summary>
    /// <param name="result">An evaluation.</param>
    /// <param name="path">The PNG file.</param>
    public static void SaveConfusionMatrixChart(this EvaluationResult result, string path) => SaveConfusionMatrix(result, path);

    private static readonly SKColor TrainColor = new(0x1f, 0x77, 0xb4);
    private static readonly SKColor ValidColor = new(0xff, 0x7f, 0x0e);
    private static readonly SKColor GridColor = new(0xe0, 0xe0, 0xe0);
    private static readonly SKColor TextColor = new(0x30, 0x30, 0x30);
    private static readonly SKColor BoundaryColor = new(0x80, 0x80, 0x80);

    /// <summary>
    /// Writes a PNG with two panels, loss and accuracy per epoch (x: epoch across both phases), training as solid lines
    /// and validation dashed, with a vertical line where fine-tuning starts.
    /// </summary>
    /// <param name="history">The history to draw.</param>
    /// <param name="path">The PNG file.</param>
    /// <param name="width">Width in pixels (≥ 400). Default 1200.</param>
    /// <param name="height">Height in pixels (≥ 250). Default 500.</param>
    public static void SaveHistoryChart(TrainingHistory history, string path, int width = 1200, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (width < 400) throw new ArgumentOutOfRangeException(nameof(width), $"width must be >= 400; got {width}.");
        if (height < 250) throw new ArgumentOutOfRangeException(nameof(height), $"height must be >= 250; got {height}.");
        if (history.Epochs.Count == 0) throw new ArgumentException("The history has no epochs to draw.", nameof(history));
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var epochs = history.Epochs;
        var x = epochs.Select(e => (double)e.GlobalEpoch).ToArray();
        int boundary = epochs.FirstOrDefault(e => e.Phase == TrainingPhase.FineTune)?.GlobalEpoch ?? -1;
        bool hasHead = epochs.Any(e => e.Phase == TrainingPhase.Head);
        float half = width / 2f;
        DrawPanel(canvas, new SKRect(0, 0, half, height), "Loss", x,
            epochs.Select(e => e.TrainLoss).ToArray(), epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray(), hasHead ? boundary : -1, percent: false);
        DrawPanel(canvas, new SKRect(half, 0, width, height), "Accuracy", x,
            epochs.Select(e => e.TrainAccuracy).ToArray(), epochs.Select(e => e.ValidationAccuracy ?? double.NaN).ToArray(), hasHead ? boundary : -1, percent: true);
        ChartFile.SavePng(surface, path);
    }

    /// <summary>
    /// Writes a PNG of the confusion matrix (rows: actual class, columns: predicted class); each cell shows its count and is
    /// shaded by the share of its row; the title gives the accuracy, and per-class recall and precision sit at the margins.
    /// </summary>
    /// <param name="result">An evaluation.</param>
    /// <param name="path">The PNG file.</param>
    /// <param name="cellSize">Side of a cell in pixels (≥ 24). Default 72.</param>
    public static void SaveConfusionMatrix(EvaluationResult result, string path, int cellSize = 72)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (cellSize < 24) throw new ArgumentOutOfRangeException(nameof(cellSize), $"cellSize must be >= 24; got {cellSize}.");
        int n = result.ClassNames.Count;
        using var font = new SKFont(SKTypeface.Default, Math.Clamp(cellSize / 5f, 10, 16));
        using var bold = new SKFont(SKTypeface.FromFamilyName(null, SKFontStyle.Bold), font.Size + 2);
        float labelWidth = Math.Max(80, result.ClassNames.Max(c => font.MeasureText(c)) + 16);
        float top = 60 + labelWidth, left = labelWidth + 30;
        string title = $"Confusion matrix — {result.SampleCount} samples, accuracy {result.Accuracy.ToString("P1", CultureInfo.InvariantCulture)}";
        int width = (int)Math.Max(left + n * cellSize + 90, bold.MeasureText(title) + 24), height = (int)(top + n * cellSize + 60);
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = TextColor, IsAntialias = true };
        using var fill = new SKPaint { Style = SKPaintStyle.Fill };
        using var stroke = new SKPaint { Style = SKPaintStyle.Stroke, Color = GridColor, StrokeWidth = 1 };
        canvas.DrawText(title, 12, 28, SKTextAlign.Left, bold, text);
        canvas.DrawText("predicted →", left + n * cellSize / 2f, 52, SKTextAlign.Center, font, text);
        canvas.Save();
        canvas.RotateDegrees(-90, 16, top + n * cellSize / 2f);
        canvas.DrawText("actual →", 16, top + n * cellSize / 2f + 4, SKTextAlign.Center, font, text);
        canvas.Restore();
        var recall = result.Recall;
        var precision = result.Precision;
        for (int a = 0; a < n; a++)
        {
            int rowTotal = result.ConfusionMatrix[a].Sum();
            canvas.DrawText(result.ClassNames[a], left - 8, top + a * cellSize + cellSize / 2f + font.Size / 3, SKTextAlign.Right, font, text);
            for (int p = 0; p < n; p++)
            {
                int count = result.ConfusionMatrix[a][p];
                double share = rowTotal == 0 ? 0 : (double)count / rowTotal;
                var cell = new SKRect(left + p * cellSize, top + a * cellSize, left + (p + 1) * cellSize, top + (a + 1) * cellSize);
                fill.Color = Shade(share, a == p);
                canvas.DrawRect(cell, fill);
                canvas.DrawRect(cell, stroke);
                text.Color = share > 0.55 ? SKColors.White : TextColor;
                canvas.DrawText(count.ToString(CultureInfo.InvariantCulture), cell.MidX, cell.MidY + font.Size / 3, SKTextAlign.Center, bold, text);
                text.Color = TextColor;
            }
            canvas.DrawText($"R {recall[a].ToString("P0", CultureInfo.InvariantCulture)}", left + n * cellSize + 8, top + a * cellSize + cellSize / 2f + font.Size / 3, SKTextAlign.Left, font, text);
        }
        for (int p = 0; p < n; p++)
        {
            float cx = left + p * cellSize + cellSize / 2f;
            canvas.Save();
            canvas.RotateDegrees(-60, cx, top - 8);
            canvas.DrawText(result.ClassNames[p], cx, top - 8, SKTextAlign.Left, font, text);
            canvas.Restore();
            canvas.DrawText($"P {precision[p].ToString("P0", CultureInfo.InvariantCulture)}", cx, top + n * cellSize + 22, SKTextAlign.Center, font, text);
        }
        canvas.DrawText("R = recall (row), P = precision (column)", 12, height - 12, SKTextAlign.Left, font, text);
        ChartFile.SavePng(surface, path);
    }

    private static SKColor Shade(double share, bool diagonal)
    {
        // White → blue on the diagonal (correct), white → red off it (errors).
        var target = diagonal ? new SKColor(0x1f, 0x5f, 0xa8) : new SKColor(0xc0, 0x39, 0x2b);
        byte Mix(byte to) => (byte)Math.Round(255 + (to - 255) * Math.Clamp(share, 0, 1));
        return new SKColor(Mix(target.Red), Mix(target.Green), Mix(target.Blue));
    }

    private static void DrawPanel(SKCanvas canvas, SKRect area, string title, double[] x, double[] train, double[] valid, int boundary, bool percent)
    {
        using var font = new SKFont(SKTypeface.Default, 13);
        using var titleFont = new SKFont(SKTypeface.FromFamilyName(null, SKFontStyle.Bold), 16);
        using var text = new SKPaint { Color = TextColor, IsAntialias = true };
        using var grid = new SKPaint { Color = GridColor, StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        // With few epochs the values are written right of their markers: leave room for the last one's.
        var plot = new SKRect(area.Left + 70, area.Top + 50, area.Right - (x.Length <= 3 ? 60 : 25), area.Bottom - 55);
        canvas.DrawText(title, area.Left + 70, area.Top + 30, SKTextAlign.Left, titleFont, text);

        var values = train.Concat(valid).Where(double.IsFinite).ToArray();
        double yMin = percent ? 0 : Math.Min(0, values.DefaultIfEmpty(0).Min());
        double yMax = percent ? 1 : values.DefaultIfEmpty(1).Max();
        if (!(yMax > yMin)) yMax = yMin + 1;
        yMax = NiceCeiling(yMax);
        // One epoch: centre it (half an epoch of room on each side) instead of a dot on the left border of an empty axis.
        bool single = x.Length == 1;
        double xMin = single ? x[0] - 0.5 : x.Min(), xMax = single ? x[0] + 0.5 : Math.Max(x.Max(), xMin + 1);
        float X(double v) => plot.Left + (float)((v - xMin) / (xMax - xMin)) * plot.Width;
        float Y(double v) => plot.Bottom - (float)((v - yMin) / (yMax - yMin)) * plot.Height;

        for (int i = 0; i <= 5; i++)
        {
            double v = yMin + (yMax - yMin) * i / 5;
            canvas.DrawLine(plot.Left, Y(v), plot.Right, Y(v), grid);
            string label = percent ? v.ToString("P0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);
            canvas.DrawText(label, plot.Left - 8, Y(v) + 4, SKTextAlign.Right, font, text);
        }
        int step = Math.Max(1, (int)Math.Ceiling((xMax - xMin) / 10));
        for (int e = (int)Math.Ceiling(xMin); e <= (int)Math.Floor(xMax); e += step)
        {
            canvas.DrawLine(X(e), plot.Bottom, X(e), plot.Bottom + 5, grid);
            canvas.DrawText(e.ToString(CultureInfo.InvariantCulture), X(e), plot.Bottom + 20, SKTextAlign.Center, font, text);
        }
        canvas.DrawText("epoch", plot.MidX, plot.Bottom + 40, SKTextAlign.Center, font, text);
        using (var axis = new SKPaint { Color = TextColor, StrokeWidth = 1, Style = SKPaintStyle.Stroke })
            canvas.DrawRect(plot, axis);

        if (boundary > 0)
        {
            float bx = X(boundary - 0.5);
            using var dash = new SKPaint { Color = BoundaryColor, StrokeWidth = 1.5f, Style = SKPaintStyle.Stroke, PathEffect = SKPathEffect.CreateDash(new[] { 6f, 4f }, 0) };
            canvas.DrawLine(bx, plot.Top - PhaseLabelRise, bx, plot.Bottom, dash);
            // The phase names sit above the plot, in the margin under the title: inside it they covered the 100 % line and
            // the curves that reach it.
            text.Color = BoundaryColor;
            float labelY = plot.Top - 6;
            canvas.DrawText("head", bx - 6, labelY, SKTextAlign.Right, font, text);
            canvas.DrawText("fine-tune", Math.Min(bx + 6, plot.Right - font.MeasureText("fine-tune")), labelY, SKTextAlign.Left, font, text);
            text.Color = TextColor;
        }

        DrawSeries(canvas, x, train, X, Y, TrainColor, dashed: false, markerRadius: single ? 6f : 3.5f);
        DrawSeries(canvas, x, valid, X, Y, ValidColor, dashed: true, markerRadius: single ? 6f : 3.5f);
        if (x.Length <= 3)
        {
            // Few epochs: the values themselves, beside their markers (training left, validation right).
            using var valueFont = new SKFont(SKTypeface.Default, 12);
            string Format(double v) => percent ? v.ToString("P1", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);
            for (int i = 0; i < x.Length; i++)
            {
                text.Color = TrainColor;
                // Left of the first marker is the axis' own labels: there the training value goes right, a line above the validation one.
                if (double.IsFinite(train[i]))
                {
                    if (i == 0) canvas.DrawText(Format(train[i]), X(x[i]) + 10, Math.Max(ValueLabelY(Y(train[i]), plot) - 14, plot.Top + 14), SKTextAlign.Left, valueFont, text);
                    else canvas.DrawText(Format(train[i]), X(x[i]) - 10, ValueLabelY(Y(train[i]), plot), SKTextAlign.Right, valueFont, text);
                }
                text.Color = ValidColor;
                if (double.IsFinite(valid[i])) canvas.DrawText(Format(valid[i]), X(x[i]) + 10, ValueLabelY(Y(valid[i]), plot), SKTextAlign.Left, valueFont, text);
            }
            text.Color = TextColor;
        }

        float ly = area.Top + 30, lx = plot.Right - 190;
        using var legend = new SKPaint { StrokeWidth = 2.5f, Style = SKPaintStyle.Stroke, IsAntialias = true };
        legend.Color = TrainColor;
        canvas.DrawLine(lx, ly - 4, lx + 24, ly - 4, legend);
        canvas.DrawText("training", lx + 30, ly, SKTextAlign.Left, font, text);
        if (valid.Any(double.IsFinite))
        {
            legend.Color = ValidColor;
            legend.PathEffect = SKPathEffect.CreateDash(new[] { 6f, 4f }, 0);
            canvas.DrawLine(lx + 95, ly - 4, lx + 119, ly - 4, legend);
            canvas.DrawText("validation", lx + 125, ly, SKTextAlign.Left, font, text);
        }
    }

    /// <summary>How far the phase boundary line reaches above the plot, to meet its labels.</summary>
    private const float PhaseLabelRise = 18;

    /// <summary>A value label's baseline: just above its marker, kept inside the plot.</summary>
    private static float ValueLabelY(float markerY, SKRect plot) => Math.Clamp(markerY - 8, plot.Top + 14, plot.Bottom - 4);

    private static void DrawSeries(SKCanvas canvas, double[] x, double[] y, Func<double, float> X, Func<double, float> Y, SKColor color, bool dashed, float markerRadius)
    {
        using var line = new SKPaint { Color = color, StrokeWidth = 2.5f, Style = SKPaintStyle.Stroke, IsAntialias = true };
        if (dashed) line.PathEffect = SKPathEffect.CreateDash(new[] { 6f, 4f }, 0);
        using var dot = new SKPaint { Color = color, Style = SKPaintStyle.Fill, IsAntialias = true };
        using var path = new SKPath();
        bool open = false;
        for (int i = 0; i < x.Length; i++)
        {
            if (!double.IsFinite(y[i])) { open = false; continue; }
            if (open) path.LineTo(X(x[i]), Y(y[i]));
            else path.MoveTo(X(x[i]), Y(y[i]));
            open = true;
            canvas.DrawCircle(X(x[i]), Y(y[i]), markerRadius, dot);
        }
        canvas.DrawPath(path, line);
    }

    private static double NiceCeiling(double value)
    {
        if (value <= 0) return 1;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double m in new[] { 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 })
            if (m * magnitude >= value) return m * magnitude;
        return 10 * magnitude;
    }
}
