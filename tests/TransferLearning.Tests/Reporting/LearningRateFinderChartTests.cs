using SkiaSharp;
using TransferLearning.Reporting;
using TransferLearning.Training;

namespace TransferLearning.Tests.Reporting;

public sealed class LearningRateFinderChartTests
{
    [Fact]
    public void The_chart_is_a_png_of_the_requested_size_and_leaves_no_temporary_file()
    {
        var rates = Enumerable.Range(0, 60).Select(i => 1e-6 * Math.Pow(10, i / 8.0)).ToArray();
        var losses = rates.Select((r, i) => i < 45 ? 2.3 - 1.5 * i / 45.0 : 0.8 + 0.6 * (i - 45)).ToArray();
        var result = new LearningRateFinderResult
        {
            LearningRates = rates, Losses = losses, SmoothedLosses = losses, Valley = rates[25], Steepest = rates[20], Minimum = rates[44] / 10,
            Diverged = true, Phase = TrainingPhase.Head, SuggestionStart = 6, SuggestionEnd = 55,
        };
        string dir = Path.Combine(Path.GetTempPath(), "tl-lrchart-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(dir, "lr.png");
            result.SaveChart(path, width: 640, height: 360);
            using var bitmap = SKBitmap.Decode(path);
            Assert.Equal(640, bitmap.Width);
            Assert.Equal(360, bitmap.Height);
            Assert.Equal(new[] { "lr.png" }, Directory.GetFiles(dir).Select(Path.GetFileName));
            Assert.Throws<ArgumentOutOfRangeException>(() => result.SaveChart(path, width: 100));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
