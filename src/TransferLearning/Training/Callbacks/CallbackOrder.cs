namespace TransferLearning.Training.Callbacks;

/// <summary>
/// The <see cref="ITrainingCallback.Order"/> of the built-in callbacks. A user's callback (order 0 by default) sees the
/// epoch already in the history, the learning rates the schedule set, and runs before early stopping and the
/// checkpoint, so a stop it requests at an epoch's end still restores the best weights and is checkpointed.
/// </summary>
public static class CallbackOrder
{
    /// <summary><see cref="HistoryCallback"/>: adds the epoch's metrics to the history first.</summary>
    public const int History = -1000;

    /// <summary><see cref="NonFiniteLossGuard"/>: stops on a NaN or infinite batch loss.</summary>
    public const int NonFiniteLossGuard = -900;

    /// <summary><see cref="LearningRateScheduler"/>: sets the learning rates (per epoch or per batch).</summary>
    public const int LearningRateScheduler = -500;

    /// <summary><see cref="ProgressCallback"/>: reports each batch to the <see cref="IProgress{T}"/> of the fit.</summary>
    public const int Progress = -100;

    /// <summary><see cref="LoggingCallback"/>: one log line per epoch.</summary>
    public const int Logging = -50;

    /// <summary>The default of a user's callback.</summary>
    public const int User = 0;

    /// <summary><see cref="EarlyStoppingCallback"/>: stops the phase and restores the best weights.</summary>
    public const int EarlyStopping = 500;

    /// <summary><see cref="CheckpointCallback"/>: writes the checkpoint last, when everything else has run.</summary>
    public const int Checkpoint = 1000;
}
