using TransferLearning.Training;
using TransferLearning.Training.Callbacks;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

public sealed class LearningRateScheduleTests
{
    /// <summary>Records every batch's rate and momentum per parameter group, as the optimizer steps with them.</summary>
    private sealed class RateRecorder : ITrainingCallback
    {
        public readonly List<(TrainingPhase Phase, double[] Rates, double?[] Momenta)> Steps = new();

        public void OnBatchBegin(TrainingContext c) =>
            Steps.Add((c.Phase, c.ParameterGroups.Select(g => g.LearningRate).ToArray(), c.ParameterGroups.Select(g => g.Momentum).ToArray()));
    }

    /// <summary>fastai's schedule, written from its definitions: <c>SchedCos(start, end)(pos)</c> and <c>combine_scheds([pct, 1 - pct], ...)</c>.</summary>
    private static double FastaiCombinedCos(double pct, double start, double middle, double end, double pos)
    {
        static double SchedCos(double s, double e, double p) => s + (1 + Math.Cos(Math.PI * (1 - p))) * (e - s) / 2;
        return pos < pct ? SchedCos(start, middle, pos / pct) : SchedCos(middle, end, (pos - pct) / (1 - pct));
    }

    [Fact]
    public void One_cycle_sets_every_batchs_rate_and_momentum_by_fastais_formula_keeping_discriminative_ratios()
    {
        var (train, valid) = Sources(trainPerClass: 8, validPerClass: 2, batchSize: 6); // 24 samples: 4 batches per epoch
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var recorder = new RateRecorder();
        const double peak = 1e-3;
        var options = TransferTrainerTests.FastOptions(headEpochs: 0, fineTuneEpochs: 3) with
        {
            FineTunePhase = PhaseOptions.KerasFineTune with
            {
                Epochs = 3, Optimizer = OptimizerKind.Adam, LearningRate = peak, EarlierBlocksLearningRateFactor = 0.5,
                Schedule = LearningRateSchedule.OneCycle(),
            },
            Callbacks = new[] { recorder },
        };
        using var trainer = new TransferTrainer(backbone, Classes, options);

        trainer.Fit(train, valid);

        Assert.Equal(12, recorder.Steps.Count);
        for (int step = 0; step < 12; step++)
        {
            double pos = step / 12.0;
            var (_, rates, momenta) = recorder.Steps[step];
            Assert.Equal(FastaiCombinedCos(0.25, peak / 25, peak, peak / 1e5, pos), rates[0], 12);
            Assert.Equal(FastaiCombinedCos(0.25, 0.95, 0.85, 0.95, pos), momenta[0]!.Value, 12);
            // The head and the deepest block share the peak; each earlier block has half the rate of the next.
            Assert.Equal(rates[0], rates[1], 15);
            for (int g = 2; g < rates.Length - 1; g++) Assert.Equal(rates[g - 1] * 0.5, rates[g], 15);
            Assert.All(momenta, m => Assert.Equal(momenta[0], m));
        }
        Assert.Equal(peak / 25, recorder.Steps[0].Rates[0], 15);
        Assert.Equal(peak, recorder.Steps[3].Rates[0], 15); // pos = 0.25: the peak
    }

    [Fact]
    public void Warmup_cosine_warms_up_linearly_then_anneals_per_batch_and_per_epoch_schedules_hold_within_an_epoch()
    {
        var schedule = LearningRateSchedule.WarmupCosine(warmupFraction: 0.2, minimumLearningRate: 0);
        double[] factors = Enumerable.Range(0, 10).Select(s => schedule.Multiplier(1, s, 10, 0, 1, 1)).ToArray();
        Assert.Equal(new[] { 0.5, 1.0 }, factors[..2]);
        for (int s = 2; s < 10; s++) Assert.Equal((1 + Math.Cos(Math.PI * (s - 2) / 8.0)) / 2, factors[s], 12);

        var (train, valid) = Sources(trainPerClass: 8, validPerClass: 2, batchSize: 6);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var recorder = new RateRecorder();
        var options = TransferTrainerTests.FastOptions(headEpochs: 2, fineTuneEpochs: 0) with
        {
            HeadPhase = PhaseOptions.KerasHead with { Epochs = 2, LearningRate = 0.1, Schedule = LearningRateSchedule.Cosine() },
            Callbacks = new[] { recorder },
        };
        using var trainer = new TransferTrainer(backbone, Classes, options);
        var history = trainer.Fit(train, valid);
        Assert.Equal(new[] { 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05 }, recorder.Steps.Select(s => Math.Round(s.Rates[0], 12)));
        Assert.Equal(new[] { 0.1, 0.05 }, history.Epochs.Select(e => Math.Round(e.LearningRate, 12)));
    }

    [Fact]
    public void A_custom_callback_can_set_the_rate_of_every_batch()
    {
        var (train, valid) = Sources(trainPerClass: 8, validPerClass: 2, batchSize: 6);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var recorder = new RateRecorder();
        var options = TransferTrainerTests.FastOptions(headEpochs: 2, fineTuneEpochs: 0) with { Callbacks = new ITrainingCallback[] { new Halving(), recorder } };
        using var trainer = new TransferTrainer(backbone, Classes, options);
        trainer.Fit(train, valid);
        Assert.Equal(Enumerable.Range(0, 8).Select(s => 3e-2 / (1 << s)), recorder.Steps.Select(s => s.Rates[0]));
    }

    /// <summary>A schedule of one's own: halves the rate at every step.</summary>
    private sealed class Halving : ITrainingCallback
    {
        public void OnBatchBegin(TrainingContext c)
        {
            foreach (var g in c.ParameterGroups) g.LearningRate = g.BaseLearningRate / Math.Pow(2, c.Step);
        }
    }

    [Fact]
    public void Schedule_settings_are_validated_with_the_bad_value_quoted()
    {
        var bad = PhaseOptions.KerasHead with { Schedule = LearningRateSchedule.OneCycle(percentStart: 1.5) };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TransferTrainerOptions { HeadPhase = bad }.Copy(3));
        Assert.Contains("PercentStart must be in (0, 1); got 1.5", error.Message);
    }
}
