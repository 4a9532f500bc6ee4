using TransferLearning.Training;
using TransferLearning.Training.Callbacks;
using static TorchSharp.torch;
using static TransferLearning.Tests.Training.TrainingTestData;

namespace TransferLearning.Tests.Training.Callbacks;

public sealed class CallbackTests
{
    /// <summary>Records every event as text and stops the fit at a chosen batch.</summary>
    private sealed class Recorder(int stopEpoch = -1, int stopBatch = -1, bool wholeFit = true) : ITrainingCallback
    {
        public readonly List<string> Events = new();
        public readonly List<(TrainingPhase Phase, int Epoch, int Batch, int Samples, double Loss)> Batches = new();
        public Exception? ErrorAtEnd;

        public void OnFitBegin(TrainingContext c) => Events.Add("fit-begin");
        public void OnPhaseBegin(TrainingContext c) => Events.Add($"phase-begin {c.Phase}");
        public void OnEpochBegin(TrainingContext c) => Events.Add($"epoch-begin {c.Phase} {c.Epoch}");
        public void OnBatchBegin(TrainingContext c) => Events.Add($"batch-begin {c.Epoch}.{c.Batch}");

        public void OnBatchEnd(TrainingContext c)
        {
            Events.Add($"batch-end {c.Epoch}.{c.Batch}");
            Batches.Add((c.Phase, c.Epoch, c.Batch, c.BatchSamples, c.BatchLoss!.Value));
            if (c.Epoch == stopEpoch && c.Batch == stopBatch)
            {
                if (wholeFit) c.StopFit("test stop");
                else c.StopPhase("test stop");
            }
        }

        public void OnEpochEnd(TrainingContext c) => Events.Add($"epoch-end {c.Phase} {c.Epoch} {c.History.Epochs.Count} {c.EpochMetrics!.Epoch}");
        public void OnPhaseEnd(TrainingContext c) => Events.Add($"phase-end {c.Phase}");

        public void OnFitEnd(TrainingContext c)
        {
            Events.Add("fit-end");
            ErrorAtEnd = c.Error;
        }
    }

    private static TransferTrainerOptions Options(ITrainingCallback callback, int head = 2, int fineTune = 2) =>
        TransferTrainerTests.FastOptions(head, fineTune) with { Callbacks = new[] { callback } };

    [Fact]
    public void Events_arrive_in_order_and_the_epoch_is_in_the_history_when_a_user_callback_sees_it()
    {
        var (train, valid) = Sources(trainPerClass: 4, validPerClass: 2, batchSize: 6); // 12 samples: 2 batches
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var recorder = new Recorder();
        using var trainer = new TransferTrainer(backbone, Classes, Options(recorder, head: 1, fineTune: 1));

        trainer.Fit(train, valid);

        Assert.Equal(new[]
        {
            "fit-begin",
            "phase-begin Head", "epoch-begin Head 0", "batch-begin 0.0", "batch-end 0.0", "batch-begin 0.1", "batch-end 0.1", "epoch-end Head 0 1 1", "phase-end Head",
            "phase-begin FineTune", "epoch-begin FineTune 0", "batch-begin 0.0", "batch-end 0.0", "batch-begin 0.1", "batch-end 0.1", "epoch-end FineTune 0 2 1", "phase-end FineTune",
            "fit-end",
        }, recorder.Events);
        Assert.All(recorder.Batches, b => Assert.Equal(6, b.Samples));
        Assert.Equal(recorder, trainer.Callbacks.Single(c => c.Order == CallbackOrder.User));
        Assert.Equal(trainer.Callbacks.Select(c => c.Order).Order(), trainer.Callbacks.Select(c => c.Order));
    }

    [Fact]
    public void A_custom_callback_stops_training_at_a_chosen_batch()
    {
        var (train, valid) = Sources(); // 48 samples, batches of 8: 6 per epoch
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var recorder = new Recorder(stopEpoch: 1, stopBatch: 2);
        using var trainer = new TransferTrainer(backbone, Classes, Options(recorder, head: 4, fineTune: 2));

        var history = trainer.Fit(train, valid);

        // Epoch 0 whole, epoch 1 up to its batch 2, then the epoch is validated and recorded, and nothing else runs.
        Assert.Equal(6 + 3, recorder.Batches.Count);
        Assert.Equal((TrainingPhase.Head, 1, 2), (recorder.Batches[^1].Phase, recorder.Batches[^1].Epoch, recorder.Batches[^1].Batch));
        Assert.Equal(2, history.Epochs.Count);
        Assert.All(history.Epochs, e => Assert.Equal(TrainingPhase.Head, e.Phase));
        Assert.NotNull(history.Epochs[1].ValidationAccuracy);
        Assert.Equal(new[] { "phase-end Head", "fit-end" }, recorder.Events.TakeLast(2));
    }

    [Fact]
    public void Stopping_a_phase_goes_on_with_the_next_one()
    {
        var (train, valid) = Sources();
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var recorder = new Recorder(stopEpoch: 0, stopBatch: 0, wholeFit: false);
        using var trainer = new TransferTrainer(backbone, Classes, Options(recorder, head: 3, fineTune: 2));

        var history = trainer.Fit(train, valid);

        // Each phase stops after its first batch (the recorder asks in both), its one epoch recorded.
        Assert.Equal(new[] { TrainingPhase.Head, TrainingPhase.FineTune }, history.Epochs.Select(e => e.Phase));
        Assert.Equal(new[] { 1, 2 }, history.Epochs.Select(e => e.GlobalEpoch));
        Assert.Equal(2, recorder.Batches.Count);
    }

    [Fact]
    public void A_failing_callback_ends_the_fit_and_OnFitEnd_sees_the_error()
    {
        var (train, valid) = Sources(trainPerClass: 4, validPerClass: 2);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var recorder = new Recorder();
        var failing = new Failing();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(2, 1) with { Callbacks = new ITrainingCallback[] { recorder, failing } });

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(train, valid));

        Assert.Equal("boom at epoch 2", error.Message);
        Assert.Same(error, recorder.ErrorAtEnd);
        Assert.Equal("fit-end", recorder.Events[^1]);
        Assert.False(backbone.training);
    }

    private sealed class Failing : ITrainingCallback
    {
        public int Order => 10;

        public void OnEpochEnd(TrainingContext c)
        {
            if (c.Epoch == 1) throw new InvalidOperationException("boom at epoch 2");
        }
    }

    [Fact]
    public void A_non_finite_loss_is_never_applied_and_the_guard_names_phase_epoch_and_batch()
    {
        var (train, valid) = Sources(trainPerClass: 4, validPerClass: 2, batchSize: 4);
        using var _t = train;
        using var _v = valid;
        using var backbone = TinyBackbone();
        var poison = new PoisonHead();
        using var trainer = new TransferTrainer(backbone, Classes, TransferTrainerTests.FastOptions(2, 0) with { Callbacks = new[] { poison } });
        poison.Trainer = trainer;

        var error = Assert.Throws<NonFiniteLossException>(() => trainer.Fit(train, valid));

        Assert.Contains("epoch 1", error.Message);
        Assert.Contains("batch 2", error.Message);
        // The poisoned batch's step was skipped: the head is exactly as the callback left it (NaN weight included, but
        // no optimizer update spread it to the other weights).
        var weights = Weights(trainer.Head)["linear.weight"];
        Assert.Equal(1, weights.Count(float.IsNaN));
    }

    /// <summary>Puts one NaN into the head's weights before the second batch.</summary>
    private sealed class PoisonHead : ITrainingCallback
    {
        public TransferTrainer? Trainer;

        public void OnBatchBegin(TrainingContext c)
        {
            if (c.Epoch != 0 || c.Batch != 1) return;
            using var _ = no_grad();
            Trainer!.Head.parameters().First()[0, 0] = float.NaN;
        }
    }
}
