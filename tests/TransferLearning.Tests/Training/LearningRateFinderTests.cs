using TransferLearning.Training;
using Xunit.Abstractions;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

public sealed class LearningRateFinderTests(ITestOutputHelper output)
{
    [Fact]
    public void The_rules_read_a_flat_then_falling_then_rising_curve_as_fastai_does()
    {
        // 20 flat points, 40 falling (fastest in the middle), 20 rising.
        var rates = Enumerable.Range(0, 80).Select(i => 1e-6 * Math.Pow(10, i / 10.0)).ToArray();
        var losses = Enumerable.Range(0, 80).Select(i => i < 20 ? 2.0 - 1e-4 * i : i < 60 ? 1.25 + 0.75 * Math.Cos(Math.PI * (i - 20) / 40) : 0.5 + 0.1 * (i - 60)).ToArray();

        int valley = LearningRateSuggestions.Valley(losses);
        int steep = LearningRateSuggestions.Steepest(rates, losses);
        int minimum = LearningRateSuggestions.Minimum(losses);

        Assert.InRange(valley, 20, 59);
        Assert.InRange(steep, 38, 41); // the cosine falls fastest halfway (index 40)
        Assert.Equal(60, minimum);
    }

    [Fact]
    public void On_a_learnable_problem_the_suggestion_lies_where_the_loss_falls_and_the_model_is_put_back()
    {
        var (train, _) = Sources(trainPerClass: 16, validPerClass: 1, batchSize: 8);
        using var _t = train;
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 1, fineTuneEpochs: 1));
        var headBefore = Weights(trainer.Head);
        var backboneBefore = Weights(backbone);
        backbone.Unfreeze(1);

        var result = trainer.FindLearningRate(train, new LearningRateFinderOptions { MaxBatches = 100, StartLearningRate = 1e-5, EndLearningRate = 1e4 });
        output.WriteLine(result.ToString());
        output.WriteLine(string.Join(" ", result.SmoothedLosses.Select(l => l.ToString("F3"))));

        // Increasing rates, one loss each; stopped at divergence (1e4 is far too high for Adam on this head).
        Assert.Equal(result.LearningRates.Count, result.Losses.Count);
        Assert.True(result.LearningRates.Zip(result.LearningRates.Skip(1)).All(p => p.Second > p.First));
        Assert.True(result.Diverged);
        // The suggestion: past the flat start (the loss has begun to fall) and before the lowest loss.
        int valley = IndexOf(result.LearningRates, result.Valley);
        int lowest = LearningRateSuggestions.Minimum(result.SmoothedLosses.Take(result.SuggestionEnd).ToArray());
        Assert.True(valley < lowest, $"valley {valley} should come before the lowest loss at {lowest}");
        Assert.True(result.SmoothedLosses[valley] < result.SmoothedLosses[result.SuggestionStart] - 0.02,
            $"the loss at the valley ({result.SmoothedLosses[valley]:F3}) should be below the start of the range ({result.SmoothedLosses[result.SuggestionStart]:F3})");
        Assert.True(result.Steepest < result.LearningRates[lowest]);
        Assert.Equal(result.LearningRates[lowest] / 10, result.Minimum, 12);
        // Everything put back: weights, which groups train.
        Assert.Equal(headBefore.Keys, Weights(trainer.Head).Keys);
        foreach (var (key, value) in Weights(trainer.Head)) Assert.Equal(headBefore[key], value);
        foreach (var (key, value) in Weights(backbone)) Assert.Equal(backboneBefore[key], value);
        Assert.True(backbone.LayerGroups[0].IsFrozen);
        Assert.False(backbone.LayerGroups[1].IsFrozen);
        Assert.Empty(trainer.History.Epochs);
    }

    [Fact]
    public void The_fine_tune_phase_is_tested_with_its_discriminative_rates_and_the_backbone_restored()
    {
        var (train, _) = Sources(trainPerClass: 4, validPerClass: 1, batchSize: 6);
        using var _t = train;
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 1, fineTuneEpochs: 1));
        var before = Weights(backbone);

        var result = trainer.FindLearningRate(train, new LearningRateFinderOptions
        {
            Phase = TrainingPhase.FineTune,
            PhaseOptions = PhaseOptions.KerasFineTune with { EarlierBlocksLearningRateFactor = 0.1, TrainNormalization = true },
            MaxBatches = 10,
        });

        Assert.Equal(TrainingPhase.FineTune, result.Phase);
        Assert.Equal(10, result.LearningRates.Count); // 2 batches per epoch: the epochs repeat
        foreach (var (key, value) in Weights(backbone)) Assert.Equal(before[key], value); // running statistics too
    }

    [Fact]
    public void Bad_options_name_the_setting()
    {
        var (train, _) = Sources(trainPerClass: 2, validPerClass: 1, batchSize: 6);
        using var _t = train;
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(1, 1));
        Assert.Contains("EndLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() =>
            trainer.FindLearningRate(train, new LearningRateFinderOptions { StartLearningRate = 1, EndLearningRate = 0.1 })).Message);
        Assert.Contains("MaxBatches", Assert.Throws<ArgumentOutOfRangeException>(() =>
            trainer.FindLearningRate(train, new LearningRateFinderOptions { MaxBatches = 1 })).Message);
    }

    private static int IndexOf(IReadOnlyList<double> values, double value)
    {
        for (int i = 0; i < values.Count; i++) if (values[i] == value) return i;
        throw new InvalidOperationException($"{value} is not in the list.");
    }
}
