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
