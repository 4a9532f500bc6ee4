using TransferLearning.Data;
using TransferLearning.Training;
using TransferLearning.Training.Callbacks;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

public sealed class PhaseDataTests
{
    /// <summary>Notes which source each phase trained on.</summary>
    private sealed class SourceSpy : ITrainingCallback
    {
        public readonly List<(TrainingPhase Phase, IImageBatchSource Train, bool Cached)> Epochs = new();

        public void OnEpochEnd(TrainingContext c) => Epochs.Add((c.Phase, c.Train, c.FromFeatureCache));
    }

    [Fact]
    public void One_fit_caches_the_head_phase_on_plain_batches_and_fine_tunes_on_augmented_ones()
    {
        var (plain, valid) = Sources();
        var (images, labels) = Draw(16, seed: 1);
        using var augmented = new TensorBatchSource(images, labels, Classes, 8, shuffle: true, seed: 1, augmentation: new HorizontalFlipForTests());
        images.Dispose();
        labels.Dispose();
        using var _p = plain;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var spy = new SourceSpy();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 3, fineTuneEpochs: 2) with { Callbacks = new[] { spy } });

        var history = trainer.Fit(new PhaseData(plain, valid), new PhaseData(augmented, valid));

        Assert.Equal(Enumerable.Range(1, 5), history.Epochs.Select(e => e.GlobalEpoch));
        Assert.All(history.Of(TrainingPhase.Head), e => Assert.True(e.FromFeatureCache));
        Assert.All(history.Of(TrainingPhase.FineTune), e => Assert.False(e.FromFeatureCache));
        Assert.All(spy.Epochs.Where(e => e.Phase == TrainingPhase.Head), e => Assert.Same(plain, e.Train));
        Assert.All(spy.Epochs.Where(e => e.Phase == TrainingPhase.FineTune), e => Assert.Same(augmented, e.Train));
        Assert.Same(history, trainer.History);
    }

    [Fact]
    public void FitPhase_runs_one_phase_at_a_time_and_continues_the_history()
    {
        var (train, valid) = Sources();
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 2, fineTuneEpochs: 1));

        trainer.FitPhase(TrainingPhase.Head, new PhaseData(train, valid));
        Assert.True(backbone.LayerGroups.All(g => g.IsFrozen));
        trainer.FitPhase(TrainingPhase.FineTune, new PhaseData(train, valid), PhaseOptions.KerasFineTune with { Epochs = 2, UnfreezeLastBlocks = 1, LearningRate = 1e-4 });
        var history = trainer.FitPhase(TrainingPhase.FineTune, new PhaseData(train));

        Assert.Equal(new[] { TrainingPhase.Head, TrainingPhase.Head, TrainingPhase.FineTune, TrainingPhase.FineTune, TrainingPhase.FineTune },
            history.Epochs.Select(e => e.Phase));
        Assert.Equal(Enumerable.Range(1, 5), history.Epochs.Select(e => e.GlobalEpoch));
        Assert.Equal(new[] { 1, 2, 1, 2, 1 }, history.Epochs.Select(e => e.Epoch));
        Assert.Null(history.Epochs[^1].ValidationLoss);
        Assert.False(backbone.LayerGroups.All(g => g.IsFrozen));
    }

    [Fact]
    public void A_phase_source_with_other_classes_is_refused_by_name()
    {
        var (train, valid) = Sources(trainPerClass: 2, validPerClass: 1);
        using var _t = train;
        using var _v = valid;
        var (images, labels) = Draw(1, seed: 3);
        using var other = new TensorBatchSource(images, labels, new[] { "a", "b", "c" });
        images.Dispose();
        labels.Dispose();
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(1, 1));

        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(new PhaseData(train, valid), new PhaseData(train, other)));
        Assert.Contains("fineTune.Validation", error.Message);
        Assert.Empty(trainer.History.Epochs);
    }
}
