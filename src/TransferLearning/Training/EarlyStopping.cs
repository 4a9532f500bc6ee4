namespace TransferLearning.Training;

/// <summary>Stops a phase when the monitored metric stops improving (Keras' <c>EarlyStopping</c> callback).</summary>
public sealed record EarlyStopping
{
    /// <summary>The metric to watch. Default <see cref="MonitoredMetric.ValidationLoss"/>.</summary>
    public MonitoredMetric Monitor { get; init; } = MonitoredMetric.ValidationLoss;

    /// <summary>Epochs without improvement before the phase stops. Default 3.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>The smallest change that counts as an improvement. Default 0.</summary>
    public double MinDelta { get; init; }

    /// <summary>Whether the phase ends with the weights of its best epoch (Keras' <c>restore_best_weights</c>). Default <c>true</c>.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    internal void Validate(string name)
    {
        if (!Enum.IsDefined(Monitor)) throw new ArgumentOutOfRangeException(name, $"{name}.Monitor: unknown metric {Monitor}.");
        if (Patience < 0) throw new ArgumentOutOfRangeException(name, $"{name}.Patience must be >= 0; got {Patience}.");
        if (!(MinDelta >= 0) || double.IsInfinity(MinDelta)) throw new ArgumentOutOfRangeException(name, $"{name}.MinDelta must be a finite value >= 0; got {MinDelta}.");
    }
}
