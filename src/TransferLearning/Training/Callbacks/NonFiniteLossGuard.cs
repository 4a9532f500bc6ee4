namespace TransferLearning.Training.Callbacks;

/// <summary>
/// Built-in (Keras' <c>TerminateOnNaN</c>): a batch whose loss is NaN or infinite ends the fit with a
/// <see cref="NonFiniteLossException"/> naming the phase, epoch and batch. The trainer never applies such a batch to the
/// weights, so they stay those of the last finite step.
/// </summary>
public sealed class NonFiniteLossGuard : ITrainingCallback
{
    internal NonFiniteLossGuard()
    {
    }

    /// <inheritdoc />
    public int Order => CallbackOrder.NonFiniteLossGuard;

    /// <inheritdoc />
    public void OnBatchEnd(TrainingContext context)
    {
        if (context.BatchLoss is { } loss && !double.IsFinite(loss))
            throw new NonFiniteLossException(context.Phase, context.Epoch + 1, context.Batch + 1, loss);
    }
}
