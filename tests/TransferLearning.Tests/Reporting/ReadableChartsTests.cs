using SkiaSharp;
using TransferLearning.Reporting;
using TransferLearning.Training;

namespace TransferLearning.Tests.Reporting;

/// <summary>
/// The history chart stays readable at the edges: the phase names never sit on the 100 % line, and a one-epoch
/// history shows markers and values in the middle of its axis. With TRANSFERLEARNING_WRITE_DOCS_IMAGES=1 the charts are
/// also written to docs/images/.
/// </summary>
public sealed class ReadableChartsTests : IDisposable
{
    private static readonly SKColor Train = new(0x1f, 0x77, 0xb4);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "transferlearning-tests", "readable-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static bool WriteDocs => Environment.GetEnvironmentVariable("TRANSFERLEARNING_WRITE_DOCS_IMAGES") == "1";

    private string Path_(string name) => WriteDocs ? Path.Combine(Support.RepositoryPaths.Root, "docs", "images", name) : Path.Combine(_directory, name);

    internal static TrainingHistory History(int headEpochs, int fineTuneEpochs, Func<int, double> accuracy)
    {
        var epochs = new List<EpochMetrics>();
        for (int i = 0; i < headEpochs + fineTuneEpochs; i++)
        {
            var phase = i < headEpochs ? TrainingPhase.Head : TrainingPhase.FineTune;
            epochs.Add(new EpochMetrics
            {
                Phase = phase, Epoch = phase == TrainingPhase.Head ? i + 1 : i + 1 - headEpochs, GlobalEpoch = i + 1,
                LearningRate = phase == TrainingPhase.Head ? 1e-3 : 1e-5,
                TrainLoss = 1.1 / (i + 1), TrainAccuracy = accuracy(i), TrainTopKAccuracy = 1, TopK = 3,
                ValidationLoss = 1.2 / (i + 1), ValidationAccuracy = Math.Min(1, accuracy(i) - 0.03), ValidationTopKAccuracy = 1,
                Seconds = 1.5, ImagesPerSecond = 66,
            });
        }
        return new TrainingHistory(new[] { "apple", "banana", "orange" }, epochs);
    }

    [Fact]
    public void The_phase_names_sit_above_the_plot_not_on_the_100_percent_line()
    {
        string path = Path_("history-chart.png");
        // Accuracy reaches 100 % in the fine-tune phase, where the label used to be drawn.
        History(5, 5, i => Math.Min(1, 0.55 + 0.1 * i)).SaveChart(path, 1200, 500);
        using var bitmap = SKBitmap.Decode(path);

        // Accuracy panel: x 600..1200, plot from x 670 to 1175, top at y 50 (the 100 % line).
        float boundaryX = 670 + (5.5f - 1) / 9 * (1175 - 670);
        int labelPixelsInside = 0, labelPixelsAbove = 0;
        for (int x = 672; x < 1173; x++)
        {
            if (Math.Abs(x - boundaryX) < 3) continue;
            for (int y = 51; y < 70; y++) if (IsGreyText(bitmap.GetPixel(x, y))) labelPixelsInside++;
            for (int y = 33; y < 49; y++) if (IsGreyText(bitmap.GetPixel(x, y))) labelPixelsAbove++;
        }
        Assert.Equal(0, labelPixelsInside);
        Assert.True(labelPixelsAbove > 20, $"no phase names above the plot ({labelPixelsAbove} grey pixels)");
    }

    private static bool IsGreyText(SKColor c) =>
        c.Red == c.Green && c.Green == c.Blue && c.Red is > 0x60 and < 0xc8; // anti-aliased 0x80 text; grid is 0xe0, frame 0x30

    [Fact]
    public void A_one_epoch_history_draws_large_markers_in_the_middle_and_their_values()
    {
        string path = Path_("history-chart-one-epoch.png");
        History(1, 0, _ => 0.8).SaveChart(path, 1200, 500);
        using var bitmap = SKBitmap.Decode(path);

        // Loss panel: plot from x 70 to 575; the single epoch sits in the middle, not on the left border.
        var trainPixels = new List<(int X, int Y)>();
        for (int y = 50; y < 445; y++)
            for (int x = 60; x < 600; x++)
                if (bitmap.GetPixel(x, y) == Train) trainPixels.Add((x, y));
        Assert.True(trainPixels.Count > 60, $"only {trainPixels.Count} training-colour pixels: no visible marker");
        double meanX = trainPixels.Average(p => p.X);
        Assert.InRange(meanX, (70 + 575) / 2.0 - 60, (70 + 575) / 2.0 + 20); // the marker and its value label left of it
        Assert.DoesNotContain(trainPixels, p => p.X < 90);
    }

    [Fact]
    public void The_confusion_matrix_for_the_docs()
    {
        string path = Path_("confusion-matrix.png");
        var result = new EvaluationResult
        {
            ClassNames = new[] { "freshapples", "freshbanana", "freshoranges", "rottenapples", "rottenbanana", "rottenoranges" },
            ConfusionMatrix = new int[][] { [18, 1, 0, 1, 0, 0], [0, 19, 0, 0, 1, 0], [1, 0, 17, 0, 0, 2], [1, 0, 0, 18, 1, 0], [0, 1, 0, 0, 19, 0], [0, 0, 1, 0, 0, 19] },
            Accuracy = 110 / 120.0, Loss = 0.31, TopKAccuracy = 0.99, TopK = 3, SampleCount = 120,
        };
        result.SaveConfusionMatrixChart(path);
        Assert.True(File.Exists(path));
    }
}
