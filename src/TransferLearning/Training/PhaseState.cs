namespace TransferLearning.Training;

/// <summary>The weights of the best epoch so far, serialised (TorchSharp state-dict format).</summary>
internal sealed record ModelSnapshot(byte[] Head, byte[]? Backbone);

/// <summary>
/// What a phase carries from epoch to epoch besides the weights and the optimizer: the plateau schedule's and early
/// stopping's bookkeeping. Serialised into checkpoints.
/// </summary>
internal sealed class PhaseState
{
    public double PlateauMultiplier { get; set; } = 1;
    public double? PlateauBest { get; set; }
    public int PlateauBadEpochs { get; set; }
    public double? EarlyBest { get; set; }
    public int EarlyBadEpochs { get; set; }
    public int BestEpoch { get; set; } = -1;

    [System.Text.Json.Serialization.JsonIgnore]
    public ModelSnapshot? Best { get; set; }

    /// <summary>
    /// Updates the plateau schedule after an epoch (Keras' <c>ReduceLROnPlateau</c>: the rate drops once
    /// <see cref="LearningRateSchedule.Patience"/> epochs in a row brought no improvement, at least one).
    /// </summary>
    public void UpdatePlateau(LearningRateSchedule schedule, EpochMetrics metrics)
    {
        if (schedule.Kind != LearningRateScheduleKind.ReduceOnPlateau) return;
        double value = Monitored(schedule.Monitor, metrics);
        if (IsBetter(schedule.Monitor, value, PlateauBest, 0))
        {
            PlateauBest = value;
            PlateauBadEpochs = 0;
        }
        else if (++PlateauBadEpochs >= Math.Max(1, schedule.Patience))
        {
            PlateauMultiplier *= schedule.Factor;
            PlateauBadEpochs = 0;
        }
    }

    /// <summary>Updates early stopping after an epoch; returns whether its metric improved, and in <paramref name="stop"/> whether patience ran out.</summary>
    public bool UpdateEarlyStopping(EarlyStopping early, EpochMetrics metrics, out bool stop)
    {
        stop = false;
        double watched = Monitored(early.Monitor, metrics);
        if (IsBetter(early.Monitor, watched, EarlyBest, early.MinDelta))
        {
            EarlyBest = watched;
            EarlyBadEpochs = 0;
            BestEpoch = metrics.Epoch - 1;
            return true;
        }
        stop = ++EarlyBadEpochs >= Math.Max(1, early.Patience);
        return false;
    }

    private static double Monitored(MonitoredMetric metric, EpochMetrics m) => metric == MonitoredMetric.ValidationAccuracy
        ? m.ValidationAccuracy ?? m.TrainAccuracy
        : m.ValidationLoss ?? m.TrainLoss;

    private static bool IsBetter(MonitoredMetric metric, double value, double? best, double minDelta) => best is not { } b
        || (metric == MonitoredMetric.ValidationAccuracy ? value > b + minDelta : value < b - minDelta);
}
