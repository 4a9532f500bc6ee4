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

    /// <summary>The factor applied to every group's base learning rate in <paramref name="epoch"/> (0-based).</summary>
    public double LearningRateMultiplier(PhaseOptions options, int epoch)
    {
        var s = options.Schedule;
        double floor = Math.Min(1, s.MinimumLearningRate / options.LearningRate);
        return s.Kind switch
        {
            LearningRateScheduleKind.Cosine => floor + (1 - floor) * (1 + Math.Cos(Math.PI * epoch / Math.Max(1, options.Epochs))) / 2,
            LearningRateScheduleKind.Step => Math.Max(floor, Math.Pow(s.Factor, epoch / s.StepEpochs)),
            LearningRateScheduleKind.ReduceOnPlateau => Math.Max(floor, PlateauMultiplier),
            _ => 1,
        };
    }

    /// <summary>Updates the plateau schedule and early stopping after an epoch; returns whether early stopping's metric improved.</summary>
    public bool Update(PhaseOptions options, EpochMetrics metrics, out bool stop)
    {
        stop = false;
        var s = options.Schedule;
        if (s.Kind == LearningRateScheduleKind.ReduceOnPlateau)
        {
            double value = Monitored(s.Monitor, metrics);
            if (IsBetter(s.Monitor, value, PlateauBest, 0))
            {
                PlateauBest = value;
                PlateauBadEpochs = 0;
            }
            else if (++PlateauBadEpochs > s.Patience)
            {
                PlateauMultiplier *= s.Factor;
                PlateauBadEpochs = 0;
            }
        }
        if (options.EarlyStopping is not { } early) return false;
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
