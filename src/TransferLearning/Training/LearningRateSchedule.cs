namespace TransferLearning.Training;

/// <summary>
/// A phase's learning-rate schedule, applied to every parameter group as a multiplier of its own base rate (so
/// discriminative rates keep their ratios): per epoch for <see cref="LearningRateScheduleKind.Constant"/>,
/// <see cref="LearningRateScheduleKind.Cosine"/>, <see cref="LearningRateScheduleKind.Step"/> and
/// <see cref="LearningRateScheduleKind.ReduceOnPlateau"/>; per training step for <see cref="LearningRateScheduleKind.OneCycle"/>
/// and <see cref="LearningRateScheduleKind.WarmupCosine"/>. Applied by the built-in
/// <see cref="Callbacks.LearningRateScheduler"/>; a callback of your own can set rates per batch instead.
/// </summary>
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

    /// <summary><see cref="LearningRateScheduleKind.OneCycle"/>: the share of the steps spent warming up, in (0, 1). Default 0.25 (fastai's <c>pct_start</c>).</summary>
    public double PercentStart { get; init; } = 0.25;

    /// <summary><see cref="LearningRateScheduleKind.OneCycle"/>: the first step's rate is <c>rate / DivFactor</c>; ≥ 1. Default 25 (fastai's <c>div</c>).</summary>
    public double DivFactor { get; init; } = 25;

    /// <summary><see cref="LearningRateScheduleKind.OneCycle"/>: the rate annealed to is <c>rate / FinalDivFactor</c>; ≥ 1. Default 1e5 (fastai's <c>div_final</c>).</summary>
    public double FinalDivFactor { get; init; } = 1e5;

    /// <summary>
    /// <see cref="LearningRateScheduleKind.OneCycle"/>: whether the momentum cycles (Adam and AdamW's β₁, SGD's momentum; RMSprop,
    /// run without momentum in the Keras recipe, is left alone). Default <c>true</c>.
    /// </summary>
    public bool CycleMomentum { get; init; } = true;

    /// <summary><see cref="LearningRateScheduleKind.OneCycle"/>: momentum at the first and last steps, in [0, 1). Default 0.95 (fastai's <c>moms[0]</c>).</summary>
    public double MaxMomentum { get; init; } = 0.95;

    /// <summary><see cref="LearningRateScheduleKind.OneCycle"/>: momentum at the peak rate, in [0, MaxMomentum]. Default 0.85 (fastai's <c>moms[1]</c>).</summary>
    public double MinMomentum { get; init; } = 0.85;

    /// <summary><see cref="LearningRateScheduleKind.WarmupCosine"/>: the share of the steps spent warming up, in [0, 1). Default 0.05.</summary>
    public double WarmupFraction { get; init; } = 0.05;

    /// <summary>Whether the schedule sets the rate before every training step rather than once per epoch.</summary>
    public bool IsPerStep => Kind is LearningRateScheduleKind.OneCycle or LearningRateScheduleKind.WarmupCosine;

    /// <summary>A constant learning rate.</summary>
    public static LearningRateSchedule Constant { get; } = new();

    /// <summary>Cosine annealing to <paramref name="minimumLearningRate"/>.</summary>
    public static LearningRateSchedule Cosine(double minimumLearningRate = 0) => new() { Kind = LearningRateScheduleKind.Cosine, MinimumLearningRate = minimumLearningRate };

    /// <summary>Multiply by <paramref name="factor"/> every <paramref name="stepEpochs"/> epochs.</summary>
    public static LearningRateSchedule Step(int stepEpochs, double factor = 0.1) => new() { Kind = LearningRateScheduleKind.Step, StepEpochs = stepEpochs, Factor = factor };

    /// <summary>Multiply by <paramref name="factor"/> after <paramref name="patience"/> epochs without improvement of <paramref name="monitor"/>.</summary>
    public static LearningRateSchedule ReduceOnPlateau(int patience = 2, double factor = 0.1, MonitoredMetric monitor = MonitoredMetric.ValidationLoss) =>
        new() { Kind = LearningRateScheduleKind.ReduceOnPlateau, Patience = patience, Factor = factor, Monitor = monitor };

    /// <summary>
    /// fastai's <c>fit_one_cycle</c> schedule (see <see cref="LearningRateScheduleKind.OneCycle"/>): the phase's learning rate is the peak.
    /// </summary>
    /// <param name="percentStart">Share of the steps spent warming up. Default 0.25.</param>
    /// <param name="divFactor">First rate = peak / divFactor. Default 25.</param>
    /// <param name="finalDivFactor">Last rate = peak / finalDivFactor. Default 1e5.</param>
    /// <param name="cycleMomentum">Whether momentum cycles between 0.95 and 0.85. Default <c>true</c>.</param>
    public static LearningRateSchedule OneCycle(double percentStart = 0.25, double divFactor = 25, double finalDivFactor = 1e5, bool cycleMomentum = true) =>
        new() { Kind = LearningRateScheduleKind.OneCycle, PercentStart = percentStart, DivFactor = divFactor, FinalDivFactor = finalDivFactor, CycleMomentum = cycleMomentum };

    /// <summary>Linear warm-up then cosine annealing, per step (see <see cref="LearningRateScheduleKind.WarmupCosine"/>).</summary>
    /// <param name="warmupFraction">Share of the steps spent warming up. Default 0.05.</param>
    /// <param name="minimumLearningRate">The rate annealed to. Default 0.</param>
    public static LearningRateSchedule WarmupCosine(double warmupFraction = 0.05, double minimumLearningRate = 0) =>
        new() { Kind = LearningRateScheduleKind.WarmupCosine, WarmupFraction = warmupFraction, MinimumLearningRate = minimumLearningRate };

    /// <summary>
    /// The factor applied to every group's base rate at <paramref name="step"/> of <paramref name="stepCount"/> (0-based, per-step
    /// kinds) or in <paramref name="epoch"/> of <paramref name="epochCount"/> (per-epoch kinds).
    /// </summary>
    internal double Multiplier(double baseLearningRate, long step, long stepCount, int epoch, int epochCount, double plateauMultiplier)
    {
        double floor = Math.Min(1, MinimumLearningRate / baseLearningRate);
        double position = stepCount <= 0 ? 0 : Math.Clamp((double)step / stepCount, 0, 1);
        switch (Kind)
        {
            case LearningRateScheduleKind.Cosine:
                return floor + (1 - floor) * (1 + Math.Cos(Math.PI * epoch / Math.Max(1, epochCount))) / 2;
            case LearningRateScheduleKind.Step:
                return Math.Max(floor, Math.Pow(Factor, epoch / StepEpochs));
            case LearningRateScheduleKind.ReduceOnPlateau:
                return Math.Max(floor, plateauMultiplier);
            case LearningRateScheduleKind.OneCycle:
                return position < PercentStart
                    ? CosineBetween(1 / DivFactor, 1, position / PercentStart)
                    : CosineBetween(1, 1 / FinalDivFactor, (position - PercentStart) / (1 - PercentStart));
            case LearningRateScheduleKind.WarmupCosine:
                long warmup = (long)Math.Round(WarmupFraction * stepCount);
                if (step < warmup) return (step + 1.0) / warmup;
                double progress = stepCount - warmup <= 0 ? 0 : Math.Clamp((double)(step - warmup) / (stepCount - warmup), 0, 1);
                return floor + (1 - floor) * (1 + Math.Cos(Math.PI * progress)) / 2;
            default:
                return 1;
        }
    }

    /// <summary>The one-cycle momentum at <paramref name="step"/>, or <c>null</c> when this schedule leaves momentum alone.</summary>
    internal double? MomentumAt(long step, long stepCount)
    {
        if (Kind != LearningRateScheduleKind.OneCycle || !CycleMomentum) return null;
        double position = stepCount <= 0 ? 0 : Math.Clamp((double)step / stepCount, 0, 1);
        return position < PercentStart
            ? CosineBetween(MaxMomentum, MinMomentum, position / PercentStart)
            : CosineBetween(MinMomentum, MaxMomentum, (position - PercentStart) / (1 - PercentStart));
    }

    /// <summary>fastai's <c>SchedCos</c>: from <paramref name="start"/> at 0 to <paramref name="end"/> at 1 along half a cosine.</summary>
    private static double CosineBetween(double start, double end, double position) =>
        start + (1 + Math.Cos(Math.PI * (1 - position))) * (end - start) / 2;

    internal void Validate(string name)
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentOutOfRangeException(name, $"{name}.Kind: unknown schedule {Kind}.");
        if (!Enum.IsDefined(Monitor)) throw new ArgumentOutOfRangeException(name, $"{name}.Monitor: unknown metric {Monitor}.");
        if (!(Factor > 0 && Factor < 1)) throw new ArgumentOutOfRangeException(name, $"{name}.Factor must be in (0, 1); got {Factor}.");
        if (StepEpochs < 1) throw new ArgumentOutOfRangeException(name, $"{name}.StepEpochs must be >= 1; got {StepEpochs}.");
        if (Patience < 0) throw new ArgumentOutOfRangeException(name, $"{name}.Patience must be >= 0; got {Patience}.");
        if (!(MinimumLearningRate >= 0) || double.IsInfinity(MinimumLearningRate)) throw new ArgumentOutOfRangeException(name, $"{name}.MinimumLearningRate must be a finite value >= 0; got {MinimumLearningRate}.");
        if (!(PercentStart > 0 && PercentStart < 1)) throw new ArgumentOutOfRangeException(name, $"{name}.PercentStart must be in (0, 1); got {PercentStart}.");
        if (!(DivFactor >= 1) || double.IsInfinity(DivFactor)) throw new ArgumentOutOfRangeException(name, $"{name}.DivFactor must be a finite value >= 1; got {DivFactor}.");
        if (!(FinalDivFactor >= 1) || double.IsInfinity(FinalDivFactor)) throw new ArgumentOutOfRangeException(name, $"{name}.FinalDivFactor must be a finite value >= 1; got {FinalDivFactor}.");
        if (!(MaxMomentum >= 0 && MaxMomentum < 1)) throw new ArgumentOutOfRangeException(name, $"{name}.MaxMomentum must be in [0, 1); got {MaxMomentum}.");
        if (!(MinMomentum >= 0 && MinMomentum <= MaxMomentum)) throw new ArgumentOutOfRangeException(name, $"{name}.MinMomentum must be in [0, MaxMomentum = {MaxMomentum}]; got {MinMomentum}.");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentOutOfRangeException(name, $"{name}.WarmupFraction must be in [0, 1); got {WarmupFraction}.");
    }
}
