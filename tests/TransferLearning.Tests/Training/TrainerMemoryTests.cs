using TransferLearning.Tests.Support;
using TransferLearning.Training;
using static TorchSharp.torch;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training;

[Collection(TensorLifetimeCollection.Name)]
public sealed class TrainerMemoryTests
{
    private sealed class Synchronous<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }

    /// <summary>
    /// Live tensors once finalizers have run: tensors other tests leaked to the GC are freed by the finalizer thread at
    /// any moment, which would move the count under our feet.
    /// </summary>
    internal static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.TotalCount;
    }

    [Fact]
    public void Live_tensors_stay_flat_over_ten_epochs_of_both_phases()
    {
        var (train, valid) = Sources(trainPerClass: 4, validPerClass: 2, batchSize: 4);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var options = TransferTrainerTests.FastOptions(headEpochs: 5, fineTuneEpochs: 5) with
        {
            FineTunePhase = PhaseOptions.KerasFineTune with { Epochs = 5, EarlyStopping = new EarlyStopping { Patience = 10 } },
        };
        using var trainer = new TransferTrainer(backbone, Classes, options);
        trainer.Fit(train, valid); // warm-up: optimizers and caches are created and freed once

        var atEpochStart = new Dictionary<(TrainingPhase, int), long>();
        var progress = new Synchronous<TrainingProgress>(p =>
        {
            if (p.Batch == 1) atEpochStart[(p.Phase, p.Epoch)] = Tensor.TotalCount;
        });
        // Settled before, raw after: garbage of earlier tests is gone, and a tensor the trainer leaks shows up even when
        // nothing references it (unless a GC happened to finalize it during the run).
        long before = Settled();
        trainer.Fit(train, valid, progress);
        long after = Tensor.TotalCount;

        Assert.Equal(before, after);
        Assert.Equal(10, atEpochStart.Count);
        foreach (var phase in new[] { TrainingPhase.Head, TrainingPhase.FineTune })
        {
            var counts = atEpochStart.Where(kv => kv.Key.Item1 == phase).Select(kv => kv.Value).Distinct().ToArray();
            Assert.True(counts.Length == 1, $"{phase}: live tensors at the first batch of each epoch: {string.Join(", ", atEpochStart.Where(kv => kv.Key.Item1 == phase).Select(kv => kv.Value))}");
        }
    }

    [Fact]
    public void Evaluate_Predict_and_the_batch_source_free_what_they_create()
    {
        var (train, valid) = Sources(trainPerClass: 2, validPerClass: 2, batchSize: 4);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(headEpochs: 1, fineTuneEpochs: 0));
        using var images = Draw(1, 3).Images;
        trainer.Evaluate(valid);
        trainer.Predict(images);

        long before = Settled();
        trainer.Evaluate(valid);
        trainer.Predict(images);
        foreach (var batch in train.ReadEpoch(1)) batch.Dispose();
        Assert.Equal(before, Tensor.TotalCount);
    }
}
