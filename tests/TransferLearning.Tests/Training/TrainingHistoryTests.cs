using System.Globalization;
using TransferLearning.Training;

namespace TransferLearning.Tests.Training;

public sealed class TrainingHistoryTests
{
    private static TrainingHistory Sample() => new(new[] { "a", "b" }, new[]
    {
        new EpochMetrics { Phase = TrainingPhase.Head, Epoch = 1, GlobalEpoch = 1, LearningRate = 1e-3, TrainLoss = 0.6931471805599453, TrainAccuracy = 0.5, TrainTopKAccuracy = 1, TopK = 2, FromFeatureCache = true, Seconds = 1.25, ImagesPerSecond = 66.5 },
        new EpochMetrics { Phase = TrainingPhase.FineTune, Epoch = 1, GlobalEpoch = 2, LearningRate = 1e-5, TrainLoss = 0.1, TrainAccuracy = 0.9, TrainTopKAccuracy = 1, ValidationLoss = 0.2, ValidationAccuracy = 0.85, ValidationTopKAccuracy = 1, TopK = 2 },
    });

    [Fact]
    public void Json_round_trips_every_field()
    {
        var history = Sample();
        string json = history.ToJson();
        Assert.Contains("\"Phase\": \"FineTune\"", json);
        var back = TrainingHistory.FromJson(json);
        Assert.Equal(history.ClassNames, back.ClassNames);
        Assert.Equal(history.Epochs, back.Epochs);
    }

    [Fact]
    public void Csv_has_a_header_and_one_invariant_line_per_epoch_with_empty_cells_without_validation()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var lines = Sample().ToCsv().TrimEnd('\n').Split('\n');
            Assert.Equal(3, lines.Length);
            Assert.StartsWith("phase,epoch,global_epoch,learning_rate,train_loss", lines[0]);
            Assert.Equal("Head,1,1,0.001,0.6931471805599453,0.5,1,,,,2,true,1.25,66.5", lines[1]);
            Assert.Equal(lines[0].Split(',').Length, lines[2].Split(',').Length);
            Assert.StartsWith("FineTune,1,2,1E-05,0.1,0.9,1,0.2,0.85,1,2,false", lines[2]);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
