using TransferLearning.Backbones;
using Microsoft.Extensions.Logging;
using TransferLearning.Native;
using TransferLearning.Training;
using static TorchSharp.torch;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

public sealed class TrainerDeviceAndLogTests
{
    private sealed class Lines : ILogger<TransferTrainer>
    {
        public readonly List<string> Messages = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }

    [Fact]
    public void A_trainer_asked_for_cuda_on_the_cpu_backend_names_the_package_to_add()
    {
        if (cuda.is_available()) return; // the machine can train on CUDA: nothing to refuse
        using var backbone = TinyBackbone();
        var error = Assert.Throws<TorchDeviceUnavailableException>(() =>
            new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(1, 0) with { Device = new Device(TorchSharp.DeviceType.CUDA, 0) }));
        Assert.Contains("TorchSharp-cuda", error.Message);
    }

    [Fact]
    public void The_epoch_log_leaves_out_top_k_when_it_covers_every_class()
    {
        var (train, valid) = Sources(trainPerClass: 2, validPerClass: 1, batchSize: 6);
        using var _t = train;
        using var _v = valid;
        foreach (var (topK, expected) in new[] { (3, false), (2, true) })
        {
            using var backbone = TinyBackbone();
            var log = new Lines();
            using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(1, 0) with { TopK = topK }, log);
            trainer.Fit(train, valid);
            var epochLine = log.Messages.Single(m => m.Contains("epoch 1/1"));
            Assert.Equal(expected, epochLine.Contains("top2"));
            Assert.DoesNotContain("top3", epochLine);
        }
    }
}

public sealed class NormalizationMomentumTests
{
    private sealed class MomentumProbe : TransferLearning.Training.Callbacks.ITrainingCallback
    {
        public readonly List<double?> Seen = new();
        public PretrainedBackbone? Backbone;
        public void OnBatchEnd(TransferLearning.Training.Callbacks.TrainingContext context) =>
            Seen.Add(Backbone!.Features.modules().OfType<TorchSharp.Modules.NormBase>().First().momentum);
    }

    [Fact]
    public void The_phase_sets_the_running_statistics_momentum_and_the_layers_own_comes_back()
    {
        var (train, _) = Sources(trainPerClass: 2, validPerClass: 1, batchSize: 6);
        using var _t = train;
        using var backbone = TinyBackbone();
        var norm = backbone.Features.modules().OfType<TorchSharp.Modules.NormBase>().Single();
        norm.momentum = 0.01;
        var probe = new MomentumProbe { Backbone = backbone };
        var options = TransferTrainerTests.FastOptions(0, 1) with
        {
            FineTunePhase = PhaseOptions.KerasFineTune with { Epochs = 1, TrainNormalization = true, NormalizationMomentum = 0.25 },
            Callbacks = new[] { probe },
        };
        using var trainer = new TransferTrainer(backbone, Classes, options);

        trainer.Fit(train);

        Assert.NotEmpty(probe.Seen);
        Assert.All(probe.Seen, m => Assert.Equal(0.25, m));
        Assert.Equal(0.01, norm.momentum);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransferTrainer(backbone, Classes, options with
        {
            FineTunePhase = PhaseOptions.KerasFineTune with { NormalizationMomentum = 1.5 },
        }));
    }
}
