using Microsoft.Extensions.Logging;

namespace TransferLearning.Training.Callbacks;

/// <summary>
/// Built-in, from the phase's <see cref="PhaseOptions.EarlyStopping"/> (inactive when it is <c>null</c>): after each epoch
/// compares the monitored metric with the best so far; after <see cref="EarlyStopping.Patience"/> epochs without
/// improvement stops the phase; with <see cref="EarlyStopping.RestoreBestWeights"/> ends the phase (however it ends) with
/// the best epoch's weights. Its bookkeeping is saved in checkpoints.
/// </summary>
public sealed class EarlyStoppingCallback : ITrainingCallback
{
    internal EarlyStoppingCallback()
    {
    }

    /// <inheritdoc />
    public int Order => CallbackOrder.EarlyStopping;

    /// <inheritdoc />
    public void OnEpochEnd(TrainingContext context)
    {
        if (context.PhaseOptions.EarlyStopping is not { } early) return;
        var state = context.State;
        var trainer = context.Trainer;
        bool improved = state.UpdateEarlyStopping(early, context.EpochMetrics!, out bool stop);
        if (improved && early.RestoreBestWeights)
            state.Best = trainer.Snapshot(includeBackbone: context.Phase != TrainingPhase.Head);
        if (stop)
        {
            context.StopPhase($"early stopping: no improvement of {early.Monitor} for {early.Patience} epochs");
        }
        if (context.IsLastEpoch && early.RestoreBestWeights && state.Best is { } best && state.BestEpoch != context.Epoch)
        {
            trainer.Restore(best);
            context.Logger.LogInformation("{Phase}: restored the weights of epoch {Epoch} (best {Monitor}).", context.Phase, state.BestEpoch + 1, early.Monitor);
        }
    }
}
