using TransferLearning.Backbones;
using TransferLearning.Data;
using Xunit.Abstractions;
using TransferLearning.Reporting;
using TransferLearning.Training;
using static TorchSharp.torch;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

public sealed class TransferTrainerTests(ITestOutputHelper output)
{
    internal static TransferTrainerOptions FastOptions(int headEpochs = 6, int fineTuneEpochs = 3) => new()
    {
        HeadPhase = PhaseOptions.KerasHead with { Epochs = headEpochs, LearningRate = 3e-2 },
        FineTunePhase = PhaseOptions.KerasFineTune with { Epochs = fineTuneEpochs, LearningRate = 1e-4 },
        Device = CPU,
        Seed = 3,
        LabelSmoothing = 0,
    };

    [Fact]
    public void Both_phases_reach_90_percent_validation_accuracy_on_the_drawn_set()
    {
        var (train, valid) = Sources();
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var options = FastOptions() with
        {
            HeadPhase = PhaseOptions.KerasHead with { Epochs = 20, LearningRate = 5e-2 },
            FineTunePhase = PhaseOptions.KerasFineTune with { Epochs = 3, LearningRate = 1e-3 },
        };
        using var trainer = new TransferTrainer(backbone, Classes, options);

        var history = trainer.Fit(train, valid);
        output.WriteLine(history.ToCsv());
        string artefacts = Path.Combine(Path.GetTempPath(), "transferlearning-tests", "end-to-end");
        Directory.CreateDirectory(artefacts);
        history.SaveCsv(Path.Combine(artefacts, "history.csv"));
        history.SaveChart(Path.Combine(artefacts, "history.png"));
        trainer.Evaluate(valid).SaveConfusionMatrixChart(Path.Combine(artefacts, "confusion.png"));

        Assert.Equal(20, history.Of(TrainingPhase.Head).Count);
        Assert.Equal(3, history.Of(TrainingPhase.FineTune).Count);
        Assert.Equal(Enumerable.Range(1, 23), history.Epochs.Select(e => e.GlobalEpoch));
        Assert.All(history.Of(TrainingPhase.Head), e => Assert.True(e.FromFeatureCache));
        Assert.All(history.Of(TrainingPhase.FineTune), e => Assert.False(e.FromFeatureCache));
        var last = history.Epochs[^1];
        Assert.True(last.ValidationAccuracy >= 0.9, $"validation accuracy per epoch: {string.Join(", ", history.Epochs.Select(e => $"{e.TrainLoss:F3}/{e.TrainAccuracy:F2}/{e.ValidationAccuracy:F2}"))}");
        var evaluation = trainer.Evaluate(valid);
        Assert.Equal(last.ValidationAccuracy!.Value, evaluation.Accuracy, 6);
        Assert.Equal(last.ValidationLoss!.Value, evaluation.Loss, 4);
    }

    [Fact]
    public void The_head_phase_leaves_the_backbone_bitwise_unchanged_and_trains_the_head()
    {
        var (train, valid) = Sources();
        using var _t = train;
        using var _v = valid;
        foreach (var caching in new[] { FeatureCaching.On, FeatureCaching.Off })
        {
            using var backbone = TinyBackbone();
            using var trainer = new TransferTrainer(backbone, Classes, FastOptions(headEpochs: 2, fineTuneEpochs: 0) with { FeatureCaching = caching });
            var backboneBefore = Weights(backbone);
            var headBefore = Weights(trainer.Head);

            trainer.Fit(train, valid);

            var backboneAfter = Weights(backbone);
            Assert.Contains("features.1.running_mean", backboneAfter.Keys);
            foreach (var (name, values) in backboneBefore) Assert.Equal(values, backboneAfter[name]);
            Assert.True(MaxAbsDifference(headBefore["linear.weight"], Weights(trainer.Head)["linear.weight"]) > 1e-3);
        }
    }

    [Fact]
    public void The_fine_tune_phase_moves_each_block_at_its_configured_learning_rate()
    {
        // One RMSprop step (the whole set in one batch) moves every weight with a non-zero gradient by
        // lr * g / (sqrt(0.01 g^2) + eps) = 10 * lr: the largest change of a block is 10 x its learning rate.
        const double rate = 1e-4;
        var run = FineTuneOneFullBatch(PhaseOptions.KerasFineTune with { Epochs = 1, LearningRate = rate, EarlierBlocksLearningRateFactor = 0.1, TrainNormalization = true });

        var (before, after) = (run.Before, run.After);
        Assert.Equal(10 * rate, MaxAbsDifference(before["features.4.weight"], after["features.4.weight"]), 2e-6);
        Assert.Equal(10 * rate * 0.1, MaxAbsDifference(before["features.0.weight"], after["features.0.weight"]), 2e-7);
        Assert.Equal(10 * rate * 0.1, MaxAbsDifference(before["features.1.weight"], after["features.1.weight"]), 2e-7);
        Assert.True(MaxAbsDifference(before["features.1.running_mean"], after["features.1.running_mean"]) > 0, "an unfrozen BatchNorm updates its statistics");
        Assert.Equal(1e-4, run.History.Epochs[0].LearningRate, 12);
    }

    /// <summary>One fine-tune epoch of the tiny backbone over the whole set in one batch: weights before and after, each group's frozen flag, the history.</summary>
    private static (Dictionary<string, float[]> Before, Dictionary<string, float[]> After, bool[] Frozen, TrainingHistory History) FineTuneOneFullBatch(PhaseOptions fineTune)
    {
        var (train, valid) = Sources(batchSize: 48);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, FastOptions(headEpochs: 0, fineTuneEpochs: 1) with { FineTunePhase = fineTune });
        var before = Weights(backbone);
        trainer.Fit(train);
        return (before, Weights(backbone), backbone.LayerGroups.Select(g => g.IsFrozen).ToArray(), trainer.History);
    }

    [Fact]
    public void By_default_fine_tuning_keeps_every_norm_layer_in_inference_mode()
    {
        // Keras' fine-tuning advice: base_model(x, training=False). Weights train; batch-norm statistics stay as they were.
        var (train, valid) = Sources(batchSize: 16);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var options = FastOptions(headEpochs: 0, fineTuneEpochs: 1) with
        {
            FineTunePhase = PhaseOptions.KerasFineTune with { Epochs = 1, LearningRate = 1e-3 },
        };
        using var trainer = new TransferTrainer(backbone, Classes, options);
        var before = Weights(backbone);

        trainer.Fit(train);

        var after = Weights(backbone);
        Assert.True(MaxAbsDifference(before["features.1.weight"], after["features.1.weight"]) > 0, "the unfrozen norm layer's affine weights train");
        Assert.Equal(before["features.1.running_mean"], after["features.1.running_mean"]);
        Assert.Equal(before["features.1.running_var"], after["features.1.running_var"]);
    }

    [Fact]
    public void Unfreezing_the_last_block_leaves_the_earlier_ones_and_their_norm_statistics_alone()
    {
        var (train, valid) = Sources();
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var options = FastOptions(headEpochs: 1, fineTuneEpochs: 1) with
        {
            FineTunePhase = PhaseOptions.KerasFineTune with { Epochs = 1, LearningRate = 1e-3, UnfreezeLastBlocks = 1 },
        };
        using var trainer = new TransferTrainer(backbone, Classes, options);
        var before = Weights(backbone);

        trainer.Fit(train, valid);

        var after = Weights(backbone);
        foreach (var name in before.Keys.Where(k => k.StartsWith("features.0.") || k.StartsWith("features.1.")))
            Assert.Equal(before[name], after[name]);
        Assert.True(MaxAbsDifference(before["features.4.weight"], after["features.4.weight"]) > 0);
    }

    [Fact]
    public void Groups_whose_rate_falls_below_the_minimum_factor_stay_frozen_with_their_norm_statistics()
    {
        // Two groups at factor 0.1: the earlier one's rate would be 0.1 x the peak, below the minimum 0.5, so it stays as
        // it was even with normalisation layers in training mode; the deepest trains at the peak.
        const double rate = 1e-4;
        var run = FineTuneOneFullBatch(PhaseOptions.KerasFineTune with
        {
            Epochs = 1, LearningRate = rate, EarlierBlocksLearningRateFactor = 0.1, MinimumLearningRateFactor = 0.5, TrainNormalization = true,
        });

        foreach (var name in run.Before.Keys.Where(k => k.StartsWith("features.0.") || k.StartsWith("features.1.")))
            Assert.Equal(run.Before[name], run.After[name]);
        Assert.Equal(10 * rate, MaxAbsDifference(run.Before["features.4.weight"], run.After["features.4.weight"]), 2e-6);
        Assert.Equal(new[] { true, false }, run.Frozen);
    }

    [Theory]
    [InlineData(0.3, 0.005, 10, 5)]   // 0.3^4 = 0.0081 trains, 0.3^5 = 0.00243 does not
    [InlineData(0.3, 0.005, 3, 3)]    // fewer groups than the cut: all
    [InlineData(0.3, 0.0, 10, 10)]    // no minimum
    [InlineData(1.0, 0.5, 10, 10)]    // one rate for all: never below
    [InlineData(0.1, 0.01, 10, 3)]    // 1, 0.1, 0.01 (exactly the minimum) train
    [InlineData(0.5, 0.9, 4, 1)]      // the deepest always trains
    public void The_minimum_factor_counts_the_deepest_groups_that_train(double factor, double minimum, int groups, int expected)
    {
        var options = new PhaseOptions { EarlierBlocksLearningRateFactor = factor, MinimumLearningRateFactor = minimum };

        Assert.Equal(expected, options.GroupsAboveMinimumRate(groups));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_minimum_factor_outside_0_to_1_is_refused_naming_it(double minimum)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PhaseOptions { MinimumLearningRateFactor = minimum }.Validate("FineTunePhase"));
        Assert.Contains("MinimumLearningRateFactor", error.Message);
    }

    [Fact]
    public void Cached_head_training_equals_uncached_training_with_shuffling_and_dropout()
    {
        var (train, valid) = Sources();
        using var _t = train;
        using var _v = valid;
        var results = new List<(TrainingHistory History, float[] Head)>();
        foreach (var (caching, limit) in new[] { (FeatureCaching.Off, 1L << 30), (FeatureCaching.On, 1L << 30), (FeatureCaching.On, 0L) })
        {
            using var backbone = TinyBackbone();
            var options = FastOptions(headEpochs: 3, fineTuneEpochs: 0) with { Dropout = 0.3, FeatureCaching = caching, FeatureCacheMemoryLimitBytes = limit };
            using var trainer = new TransferTrainer(backbone, Classes, options);
            var history = trainer.Fit(train, valid);
            Assert.All(history.Epochs, e => Assert.Equal(caching == FeatureCaching.On, e.FromFeatureCache));
            results.Add((history, Weights(trainer.Head)["linear.weight"]));
        }
        var reference = results[0];
        foreach (var (history, head) in results.Skip(1))
        {
            for (int e = 0; e < 3; e++)
            {
                Assert.Equal(reference.History.Epochs[e].TrainLoss, history.Epochs[e].TrainLoss, 4);
                Assert.Equal(reference.History.Epochs[e].TrainAccuracy, history.Epochs[e].TrainAccuracy, 6);
                Assert.Equal(reference.History.Epochs[e].ValidationLoss!.Value, history.Epochs[e].ValidationLoss!.Value, 4);
            }
            Assert.True(MaxAbsDifference(reference.Head, head) < 1e-4, $"head weights differ by {MaxAbsDifference(reference.Head, head)}");
        }
    }

    [Fact]
    public void Auto_caching_is_off_for_an_augmented_source_and_On_refuses_it()
    {
        var (images, labels) = Draw(4, 5);
        using var _i = images;
        using var _l = labels;
        using var augmented = new TensorBatchSource(images, labels, Classes, 4, shuffle: true, augmentation: new HorizontalFlipForTests());
        Assert.True(augmented.IsAugmented);
        using (var backbone = TinyBackbone())
        using (var trainer = new TransferTrainer(backbone, Classes, FastOptions(headEpochs: 1, fineTuneEpochs: 0)))
            Assert.False(trainer.Fit(augmented).Epochs[0].FromFeatureCache);
        using (var backbone = TinyBackbone())
        using (var trainer = new TransferTrainer(backbone, Classes, FastOptions(headEpochs: 1, fineTuneEpochs: 0) with { FeatureCaching = FeatureCaching.On }))
            Assert.Contains("augmented", Assert.Throws<InvalidOperationException>(() => trainer.Fit(augmented)).Message);
    }

    [Fact]
    public void The_same_seeds_give_the_same_history_on_the_CPU()
    {
        var runs = new List<TrainingHistory>();
        for (int run = 0; run < 2; run++)
        {
            var (train, valid) = Sources(trainPerClass: 8, validPerClass: 4);
            using var _t = train;
            using var _v = valid;
            using var backbone = TinyBackbone();
            using var trainer = new TransferTrainer(backbone, Classes, FastOptions(headEpochs: 2, fineTuneEpochs: 2) with { Dropout = 0.2 });
            runs.Add(trainer.Fit(train, valid));
        }
        Assert.Equal(Comparable(runs[0]), Comparable(runs[1]));
    }

    internal static string[] Comparable(TrainingHistory history) => history.Epochs
        .Select(e => e with { Seconds = 0, ImagesPerSecond = 0 })
        .Select(e => e.ToString()).ToArray();

    [Fact]
    public void A_non_finite_loss_stops_with_an_error_naming_phase_epoch_and_batch()
    {
        var (images, labels) = Draw(4, 9);
        using var _i = images;
        using var _l = labels;
        images[5, 0, 3, 3] = tensor(float.NaN);
        using var train = new TensorBatchSource(images, labels, Classes, batchSize: 4);
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, FastOptions(headEpochs: 1, fineTuneEpochs: 0) with { FeatureCaching = FeatureCaching.Off });

        var error = Assert.Throws<NonFiniteLossException>(() => trainer.Fit(train));

        Assert.Equal(TrainingPhase.Head, error.Phase);
        Assert.Equal(1, error.Epoch);
        Assert.Equal(2, error.Batch);
        Assert.Contains("phase Head, epoch 1, batch 2", error.Message);
    }

    [Fact]
    public void Options_are_validated_and_copied()
    {
        using var backbone = TinyBackbone();
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => new TransferTrainer(backbone, Classes,
            new TransferTrainerOptions { FineTunePhase = PhaseOptions.KerasFineTune with { LearningRate = -1 } }));
        Assert.Contains("FineTunePhase.LearningRate", bad.Message);
        Assert.Contains("-1", bad.Message);
        Assert.Throws<ArgumentException>(() => new TransferTrainer(backbone, new[] { "a", "a" }));
        Assert.Contains("ClassWeights", Assert.Throws<ArgumentException>(() => new TransferTrainer(backbone, Classes, new TransferTrainerOptions { ClassWeights = new[] { 1f } })).Message);

        var weights = new[] { 1f, 2f, 3f };
        using var trainer = new TransferTrainer(backbone, Classes, new TransferTrainerOptions { ClassWeights = weights, Device = CPU });
        weights[0] = 100;
        Assert.Equal(1f, trainer.Options.ClassWeights![0]);
        Assert.Equal(PhaseOptions.HeadDefaults, trainer.Options.HeadPhase);
        Assert.Equal(PhaseOptions.FineTuneDefaults, trainer.Options.FineTunePhase);
    }

    [Fact]
    public void Training_with_other_classes_than_the_model_is_refused()
    {
        var (train, valid) = Sources(trainPerClass: 2, validPerClass: 1);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, new[] { "triangle", "stripes", "circle" }, FastOptions());
        Assert.Contains("same order", Assert.Throws<ArgumentException>(() => trainer.Fit(train, valid)).Message);
    }

    [Fact]
    public void Schedules_early_stopping_label_smoothing_class_weights_and_clipping_run_together()
    {
        var (train, valid) = Sources(trainPerClass: 8, validPerClass: 4);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var options = FastOptions() with
        {
            HeadPhase = PhaseOptions.KerasHead with { Epochs = 4, LearningRate = 1e-2, Schedule = LearningRateSchedule.Cosine(1e-3), Optimizer = OptimizerKind.AdamW, WeightDecay = 1e-2 },
            FineTunePhase = PhaseOptions.KerasFineTune with
            {
                Epochs = 6, LearningRate = 1e-4, Optimizer = OptimizerKind.Sgd, Schedule = LearningRateSchedule.Step(2, 0.5),
                EarlyStopping = new EarlyStopping { Monitor = MonitoredMetric.ValidationAccuracy, Patience = 1, MinDelta = 0.5 },
            },
            LabelSmoothing = 0.1,
            ClassWeights = new[] { 1f, 2f, 1f },
            GradientClipNorm = 1.0,
        };
        using var trainer = new TransferTrainer(backbone, Classes, options);
        var history = trainer.Fit(train, valid);

        var head = history.Of(TrainingPhase.Head);
        Assert.Equal(1e-2, head[0].LearningRate, 10);
        Assert.Equal(1e-3 + (1e-2 - 1e-3) * (1 + Math.Cos(Math.PI * 2 / 4)) / 2, head[2].LearningRate, 10);
        // Accuracy cannot improve by 0.5 after the first epoch, so early stopping ends the phase after epoch 2.
        var fine = history.Of(TrainingPhase.FineTune);
        Assert.Equal(2, fine.Count);
        Assert.Equal(new[] { 1e-4, 1e-4 }, fine.Select(e => e.LearningRate));
    }

    [Fact]
    public void Reduce_on_plateau_lowers_the_rate_after_patience_epochs_without_improvement()
    {
        // Keras' ReduceLROnPlateau: wait += 1 on a bad epoch, reduce when wait >= patience, then wait = 0. With patience 1
        // every bad epoch cuts the rate; with patience 2 every second bad epoch in a row.
        double[] losses = { 1.0, 0.9, 0.95, 0.95, 0.8, 0.85, 0.9 };
        Assert.Equal(new[] { 1, 1, 1, 0.5, 0.25, 0.25, 0.125, 0.0625 }, PlateauRates(patience: 1, losses));
        Assert.Equal(new[] { 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25 }, PlateauRates(patience: 2, losses));

        static double[] PlateauRates(int patience, double[] losses)
        {
            var state = new PhaseState();
            var schedule = LearningRateSchedule.ReduceOnPlateau(patience: patience, factor: 0.5);
            var rates = new List<double>();
            for (int e = 0; e <= losses.Length; e++)
            {
                rates.Add(schedule.Multiplier(1, 0, 0, e, 10, state.PlateauMultiplier));
                if (e < losses.Length) state.UpdatePlateau(schedule, new EpochMetrics { Epoch = e + 1, TrainLoss = 2, ValidationLoss = losses[e] });
            }
            return rates.ToArray();
        }
    }

    [Fact]
    public void Early_stopping_restores_the_weights_of_the_best_epoch()
    {
        var (train, valid) = Sources(trainPerClass: 6, validPerClass: 3);
        using var _t = train;
        using var _v = valid;
        float[] afterOneEpoch;
        using (var backbone = TinyBackbone())
        using (var trainer = new TransferTrainer(backbone, Classes, FastOptions(headEpochs: 1, fineTuneEpochs: 0)))
        {
            trainer.Fit(train, valid);
            afterOneEpoch = Weights(trainer.Head)["linear.weight"];
        }
        using (var backbone = TinyBackbone())
        using (var trainer = new TransferTrainer(backbone, Classes, FastOptions(headEpochs: 5, fineTuneEpochs: 0) with
        {
            // Accuracy can never improve by more than 1, so epoch 1 stays the best and the phase stops after epoch 2.
            HeadPhase = PhaseOptions.KerasHead with { Epochs = 5, LearningRate = 3e-2, EarlyStopping = new EarlyStopping { Monitor = MonitoredMetric.ValidationAccuracy, Patience = 1, MinDelta = 1 } },
        }))
        {
            var history = trainer.Fit(train, valid);
            Assert.Equal(2, history.Epochs.Count);
            var restored = Weights(trainer.Head)["linear.weight"];
            Assert.Equal(afterOneEpoch, restored);
        }
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger<TransferTrainer>
    {
        public List<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == Microsoft.Extensions.Logging.LogLevel.Information) Lines.Add(formatter(state, exception));
        }
    }

    [Fact]
    public void The_logger_gets_one_line_per_epoch()
    {
        var (train, valid) = Sources(trainPerClass: 4, validPerClass: 2);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var logger = new ListLogger();
        using var trainer = new TransferTrainer(backbone, Classes, FastOptions(headEpochs: 2, fineTuneEpochs: 1), logger);
        trainer.Fit(train, valid);
        Assert.Equal(3, logger.Lines.Count);
        Assert.StartsWith("Head epoch 1/2: loss ", logger.Lines[0]);
        Assert.Contains("(cached features)", logger.Lines[0]);
        Assert.StartsWith("FineTune epoch 1/1: loss ", logger.Lines[2]);
        Assert.Contains("val loss", logger.Lines[2]);
    }
}
