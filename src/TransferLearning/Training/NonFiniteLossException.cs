namespace TransferLearning.Training;

/// <summary>Training stopped because a batch's loss was NaN or infinite (diverging learning rate, bad input values).</summary>
public sealed class NonFiniteLossException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="phase">The phase.</param>
    /// <param name="epoch">Epoch within the phase, 1-based.</param>
    /// <param name="batch">Batch within the epoch, 1-based.</param>
    /// <param name="loss">The loss value.</param>
    public NonFiniteLossException(TrainingPhase phase, int epoch, int batch, double loss)
        : base($"The training loss became {loss} in phase {phase}, epoch {epoch}, batch {batch}. Lower the learning rate, enable gradient clipping, or check the input values (images must be finite 0..255).")
    {
        Phase = phase;
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
    }

    /// <summary>The phase.</summary>
    public TrainingPhase Phase { get; }

    /// <summary>Epoch within the phase, 1-based.</summary>
    public int Epoch { get; }

    /// <summary>Batch within the epoch, 1-based.</summary>
    public int Batch { get; }

    /// <summary>The non-finite loss value.</summary>
    public double Loss { get; }
}
