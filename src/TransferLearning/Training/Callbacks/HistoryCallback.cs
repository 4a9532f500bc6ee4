namespace TransferLearning.Training.Callbacks;

/// <summary>Built-in, first at every epoch's end: adds <see cref="TrainingContext.EpochMetrics"/> to <see cref="TrainingContext.History"/>.</summary>
public sealed class HistoryCallback : ITrainingCallback
{
    internal HistoryCallback()
    {
    }

    /// <inheritdoc />
    public int Order => CallbackOrder.History;

    /// <inheritdoc />
    public void OnEpochEnd(TrainingContext context) => context.History.Add(context.EpochMetrics!);
}
