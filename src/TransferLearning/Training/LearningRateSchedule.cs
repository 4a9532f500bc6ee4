namespace TransferLearning.Training;

/// <summary>A phase's learning-rate schedule, applied per epoch to every parameter group (their ratios are kept).</summary>
public sealed record LearningRateSchedule
{
    /// <summary>The kind of schedule. Default <see cref="LearningRateScheduleKind.Constant"/>.</summary>
    public LearningRateScheduleKind Kind { get; init; } = LearningRateScheduleKind.Constant;

    /// <summary>Multiplier of <see cref="LearningRateScheduleKind.Step"/> and <see cref="LearningRateScheduleKind.ReduceOnPlateau"/>, in (0, 1). Default 0.1.</summary>
    public double Factor { get; init; } = 0.1;

    /// <summary>Epochs between steps of <see cref="LearningRateScheduleKind.Step"/>. Default 10.</summary>
    public int StepEpochs { get; init; } = 10;

    /// <summary>Epochs without improvement before <see cref="LearningRateScheduleKind.ReduceOnPlateau"/> reduces. Default 2.</summary>
    public int Patience { get; init; } = 2;

    /// <summary>The metric <see cref="LearningRateScheduleKind.ReduceOnPlateau"/> watches. Default <see cref="MonitoredMetric.ValidationLoss"/>.</summary>
    public MonitoredMetric Monitor { get; init; } = MonitoredMetric.ValidationLoss;

    /// <summary>The floor of cosine annealing and plateau reduction. Default 0.</summary>
    public double MinimumLearningRate { get; init; }

    /// <summary>A constant learning rate.</summary>
    public static LearningRateSchedule Constant { get; } = new();

    /// <summary>Cosine annealing to <paramref name="minimumLearningRate"/>.</summary>
    public static LearningRateSchedule Cosine(double minimumLearningRate = 0) => new() { Kind = LearningRateScheduleKind.Cosine, MinimumLearningRate = minimumLearningRate };

    /// <summary>Multiply by <paramref name="factor"/> every <paramref name="stepEpochs"/> epochs.</summary>
    public static LearningRateSchedule Step(int stepEpochs, double factor = 0.1) => new() { Kind = LearningRateScheduleKind.Step, StepEpochs = stepEpochs, Factor = factor };

    /// <summary>Multiply by <paramref name="factor"/> after <paramref name="patience"/> epochs without improvement of <paramref name="monitor"/>.</summary>
    public static LearningRateSchedule ReduceOnPlateau(int patience = 2, double factor = 0.1, MonitoredMetric monitor = MonitoredMetric.ValidationLoss) =>
        new() { Kind = LearningRateScheduleKind.ReduceOnPlateau, Patience = patience, Factor = factor, Monitor = monitor };

    internal void Validate(string name)
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentOutOfRangeException(name, $"{name}.Kind: unknown schedule {Kind}.");
        if (!Enum.IsDefined(Monitor)) throw new ArgumentOutOfRangeException(name, $"{name}.Monitor: unknown metric {Monitor}.");
        if (!(Factor > 0 && Factor < 1)) throw new ArgumentOutOfRangeException(name, $"{name}.Factor must be in (0, 1); got {Factor}.");
        if (StepEpochs < 1) throw new ArgumentOutOfRangeException(name, $"{name}.StepEpochs must be >= 1; got {StepEpochs}.");
        if (Patience < 0) throw new ArgumentOutOfRangeException(name, $"{name}.Patience must be >= 0; got {Patience}.");
        if (!(MinimumLearningRate >= 0) || double.IsInfinity(MinimumLearningRate)) throw new ArgumentOutOfRangeException(name, $"{name}.MinimumLearningRate must be a finite value >= 0; got {MinimumLearningRate}.");
    }
}
