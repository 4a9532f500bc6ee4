namespace TransferLearning.Training.Callbacks;

/// <summary>Built-in: after every training batch, reports a <see cref="TrainingProgress"/> to the fit's <see cref="TrainingContext.Progress"/>, if any.</summary>
public sealed class ProgressCallback : ITrainingCallback
{
    internal ProgressCallback()
    {
    }

    /// <inheritdoc />
    public int Order => CallbackOrder.Progress;

    /// <inheritdoc />
    public void OnBatchEnd(TrainingContext c)
    {
        if (c.Progress is null) return;
        int done = c.Batch + 1;
        double elapsed = c.EpochElapsed.TotalSeconds;
        double perBatch = elapsed / done;
        long remaining = Math.Max(0, c.BatchCount - done) + (long)(c.EpochCount - c.Epoch - 1) * c.BatchCount;
        c.Progress.Report(new TrainingProgress(c.Phase, c.Epoch + 1, c.EpochCount, done, c.BatchCount, c.RunningLoss, c.RunningAccuracy,
            c.EpochSamples / Math.Max(elapsed, 1e-9), TimeSpan.FromSeconds(perBatch * remaining), c.FromFeatureCache));
    }
}
