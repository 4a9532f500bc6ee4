using TransferLearning.Training;
using TransferLearning.Training.Callbacks;
using static TorchSharp.torch;
using TransferLearning.Tests.Support;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

/// <summary>What the trainer does to libtorch's process-wide state: nothing that outlives its own calls.</summary>
[Collection(ProcessWideTorchStateCollection.Name)]
public sealed class TrainerSideEffectsTests
{
    private sealed class Tf32Probe : ITrainingCallback
    {
        public bool? SeenDuringFit;

        public void OnBatchEnd(TrainingContext c) => SeenDuringFit = TorchSharp.torch.backends.cuda.matmul.allow_tf32;
    }

    [Fact]
    public void TF32_is_set_only_while_the_trainer_works_and_the_global_generator_is_left_as_it_was()
    {
        var (train, valid) = Sources(trainPerClass: 4, validPerClass: 2);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var probe = new Tf32Probe();
        bool before = TorchSharp.torch.backends.cuda.matmul.allow_tf32;
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(1, 1) with { AllowTf32 = !before, Callbacks = new[] { probe } });
        Assert.Equal(before, TorchSharp.torch.backends.cuda.matmul.allow_tf32); // the constructor changes nothing

        random.manual_seed(123);
        using var expected = rand(5);
        random.manual_seed(123);
        trainer.Fit(train, valid);
        using var after = rand(5);

        Assert.Equal(!before, probe.SeenDuringFit);
        Assert.Equal(before, TorchSharp.torch.backends.cuda.matmul.allow_tf32);
        Assert.Equal(expected.data<float>().ToArray(), after.data<float>().ToArray());
    }

    [Fact]
    public void Summary_lists_groups_with_their_parameters_and_state_and_History_Best_finds_the_best_epoch()
    {
        var (train, valid) = Sources(trainPerClass: 4, validPerClass: 2);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(3, 0));
        var history = trainer.Fit(train, valid);

        string summary = trainer.Summary();
        foreach (var group in backbone.LayerGroups) Assert.Contains(group.Name, summary);
        Assert.Contains($"Total parameters:     {backbone.ParameterCount + trainer.Head.parameters().Sum(p => p.numel()),16:N0}", summary);
        Assert.Contains("frozen", summary);
        Assert.Contains("48 x 48 Rgb, Bilinear", summary);
        Assert.Contains($"Feature length:       {trainer.FeatureLength,16:N0}", summary);

        var byLoss = history.Best(MonitoredMetric.ValidationLoss)!;
        Assert.Equal(history.Epochs.Min(e => e.ValidationLoss), byLoss.ValidationLoss);
        var byAccuracy = history.Best(MonitoredMetric.ValidationAccuracy, TrainingPhase.Head)!;
        Assert.Equal(history.Epochs.Max(e => e.ValidationAccuracy), byAccuracy.ValidationAccuracy);
        Assert.Null(history.Best(MonitoredMetric.ValidationLoss, TrainingPhase.FineTune));
    }
}
