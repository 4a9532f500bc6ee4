using Xunit.Abstractions;
using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using TransferLearning.Training;
using static TorchSharp.torch;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

/// <summary>
/// A service that reloads a model over and over: Load + Predict + Dispose frees everything the trainer created
/// (head, owned backbone, generator), so live tensors stay flat and the resident set bounded.
/// </summary>
[Collection(TensorLifetimeCollection.Name)]
public sealed class TrainerDisposalTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 10;

    /// <summary>Bound on resident-set growth over rounds 2..10 of Load + Predict + Dispose of a tiny model.</summary>
    private const long ResidentGrowthBoundBytes = 32L * 1024 * 1024;

    private readonly string _directory = Directory.CreateTempSubdirectory("tl-dispose-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The tiny backbone, built so that TorchSharp's layer initialisers leave nothing for the GC.</summary>
    private static PretrainedBackbone Backbone(int seed) => ModuleTensors.Build(() => TinyBackbone(seed));

    [Fact]
    public void Ten_trainers_loaded_used_and_disposed_leave_no_tensor_and_a_bounded_resident_set()
    {
        string modelPath = Path.Combine(_directory, "model.tlmodel");
        using (var backbone = Backbone(7))
        using (var trainer = new TransferTrainer(backbone, Classes, TransferTrainerOptions()))
        {
            trainer.Save(modelPath);
        }
        using var images = Draw(1, 3).Images;

        void Round()
        {
            using var loaded = TransferTrainer.Load(modelPath, _ => Backbone(1234));
            var predictions = loaded.Predict(images);
            Assert.Equal(3, predictions.Count);
        }

        Round(); // warm-up
        long tensorsBefore = ResidentMemory.SettledLiveTensorsOnThisThread();
        long rssBefore = ResidentMemory.Bytes();
        for (int i = 1; i < Rounds; i++) Round();
        long tensorsAfter = ResidentMemory.SettledLiveTensorsOnThisThread();
        long growth = ResidentMemory.Bytes() - rssBefore;

        output.WriteLine($"{Rounds} x Load + Predict + Dispose: live tensors {tensorsBefore} -> {tensorsAfter}; resident set +{ResidentMemory.Mb(growth)} (bound {ResidentMemory.Mb(ResidentGrowthBoundBytes)})");
        Assert.Equal(tensorsBefore, tensorsAfter);
        Assert.True(growth < ResidentGrowthBoundBytes, $"resident set grew by {ResidentMemory.Mb(growth)} over {Rounds - 1} rounds; bound {ResidentMemory.Mb(ResidentGrowthBoundBytes)}.");
    }

    [Fact]
    public void Disposing_a_trainer_disposes_its_head_parameters_and_a_loaded_backbone()
    {
        string modelPath = Path.Combine(_directory, "model.tlmodel");
        using (var backbone = Backbone(7))
        using (var trainer = new TransferTrainer(backbone, Classes, TransferTrainerOptions()))
            trainer.Save(modelPath);

        var loaded = TransferTrainer.Load(modelPath, _ => Backbone(1234));
        var tensors = loaded.Head.parameters().Cast<Tensor>().Concat(loaded.Backbone.parameters()).Concat(loaded.Backbone.buffers()).ToList();
        loaded.Dispose();

        Assert.All(tensors, t => Assert.True(t.IsInvalid, "a head or backbone tensor is alive after the trainer's Dispose"));
    }

    private static TransferTrainerOptions TransferTrainerOptions() => TransferTrainerTests.FastOptions(headEpochs: 1, fineTuneEpochs: 0) with { InputSize = (TrainingTestData.Size, TrainingTestData.Size) };
}
