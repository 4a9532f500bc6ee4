using SkiaSharp;
using TransferLearning.Reporting;
using TransferLearning.Training;

namespace TransferLearning.Tests.Reporting;

public sealed class TrainingChartsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "transferlearning-tests", "charts-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static TrainingHistory History()
    {
        var epochs = new List<EpochMetrics>();
        for (int i = 0; i < 8; i++)
        {
            var phase = i < 5 ? TrainingPhase.Head : TrainingPhase.FineTune;
            epochs.Add(new EpochMetrics
            {
                Phase = phase, Epoch = phase == TrainingPhase.Head ? i + 1 : i - 4, GlobalEpoch = i + 1, LearningRate = phase == TrainingPhase.Head ? 1e-3 : 1e-5,
                TrainLoss = 1.2 / (i + 1), TrainAccuracy = 0.4 + 0.07 * i, TrainTopKAccuracy = 1, TopK = 3,
                ValidationLoss = 1.3 / (i + 1), ValidationAccuracy = 0.35 + 0.075 * i, ValidationTopKAccuracy = 1,
                FromFeatureCache = phase == TrainingPhase.Head, Seconds = 1.5, ImagesPerSecond = 66,
            });
        }
        return new TrainingHistory(new[] { "apple", "banana", "orange" }, epochs);
    }

    private static SKColor PixelAt(string path, int x, int y)
    {
        using var bitmap = SKBitmap.Decode(path);
        return bitmap.GetPixel(x, y);
    }

    [Fact]
    public void The_history_chart_is_a_png_of_the_requested_size_with_both_series_and_the_phase_boundary()
    {
        string path = Path.Combine(_directory, "history.png");
        History().SaveChart(path, 1000, 400);
        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal((1000, 400), (bitmap.Width, bitmap.Height));
        var colours = new HashSet<SKColor>();
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
                colours.Add(bitmap.GetPixel(x, y));
        Assert.Contains(new SKColor(0x1f, 0x77, 0xb4), colours); // training
        Assert.Contains(new SKColor(0xff, 0x7f, 0x0e), colours); // validation
        // The dashed boundary sits half-way between epoch 5 and 6 of the loss panel (x from 70 to 475, epochs 1..8).
        float boundaryX = 70 + (5.5f - 1) / 7 * (500 - 25 - 70);
        bool grey = Enumerable.Range(60, 280).Any(y => bitmap.GetPixel((int)Math.Round(boundaryX), y) == new SKColor(0x80, 0x80, 0x80));
        Assert.True(grey, "no boundary line found");
    }

    [Fact]
    public void The_confusion_matrix_shades_cells_by_row_share()
    {
        var result = new EvaluationResult
        {
            ClassNames = new[] { "apple", "banana", "orange" }, SampleCount = 30, Loss = 0.3, Accuracy = 0.8, TopKAccuracy = 1, TopK = 3,
            ConfusionMatrix = new IReadOnlyList<int>[] { new[] { 10, 0, 0 }, new[] { 2, 8, 0 }, new[] { 0, 4, 6 } },
        };
        Assert.Equal(new[] { 10 / 12.0, 8 / 12.0, 1.0 }, result.Precision);
        Assert.Equal(new[] { 1.0, 0.8, 0.6 }, result.Recall);
        string path = Path.Combine(_directory, "confusion.png");
        result.SaveConfusionMatrixChart(path);
        using var bitmap = SKBitmap.Decode(path);
        Assert.True(bitmap.Width > 3 * 72 && bitmap.Height > 3 * 72);
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCharts.SaveConfusionMatrix(result, path, cellSize: 3));
    }

    [Fact]
    public void An_empty_history_cannot_be_drawn()
    {
        Assert.Throws<ArgumentException>(() => new TrainingHistory(new[] { "a", "b" }).SaveChart(Path.Combine(_directory, "x.png")));
    }
}
