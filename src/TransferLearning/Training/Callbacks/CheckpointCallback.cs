namespace TransferLearning.Training.Callbacks;

/// <summary>
/// Built-in, present when <see cref="TransferTrainerOptions.CheckpointPath"/> is set: after every epoch, last of all
/// callbacks, rewrites the checkpoint atomically (weights, optimizer, schedule and early-stopping state, history), so a
/// cancelled or killed run resumes from the last finished epoch (<see cref="TransferTrainer.ResumeFrom"/>).
/// </summary>
public sealed class CheckpointCallback : ITrainingCallback
{
    internal CheckpointCallback(string path) => Path = path;

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public int Order => CallbackOrder.Checkpoint;

    /// <inheritdoc />
    public void OnEpochEnd(TrainingContext context) =>
        context.Trainer.WriteCheckpoint(Path, context.Phase, context.Epoch + 1, context.IsLastEpoch, context.Optimizer!, context.State, context.History);
}
