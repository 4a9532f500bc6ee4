namespace TransferLearning.Training;

/// <summary>
/// Settings of <see cref="TransferTrainer.FindLearningRate"/>, the learning-rate range test (Smith 2017; fastai's
/// <c>lr_find</c>). Immutable; copied by the trainer.
/// </summary>
public sealed record LearningRateFinderOptions
{
    /// <summary>The phase whose setup is tested: which layers train, the optimizer and the discriminative rates. Default <see cref="TrainingPhase.Head"/>.</summary>
    public TrainingPhase Phase { get; init; } = TrainingPhase.Head;

    /// <summary>The phase settings tested, or <c>null</c> for the trainer's own for <see cref="Phase"/>. Default <c>null</c>.</summary>
    public PhaseOptions? PhaseOptions { get; init; }

    /// <summary>The first batch's learning rate (of the head and the deepest unfrozen block). Default 1e-7 (fastai's).</summary>
    public double StartLearningRate { get; init; } = 1e-7;

    /// <summary>The learning rate the last batch would reach. Default 10 (fastai's).</summary>
    public double EndLearningRate { get; init; } = 10;

    /// <summary>The most batches to run (the rate grows exponentially from start to end over them; the source's epochs repeat as needed). Default 100 (fastai's).</summary>
    public int MaxBatches { get; init; } = 100;

    /// <summary>Stop once the smoothed loss exceeds this multiple of the lowest smoothed loss so far. Default 4 (fastai's).</summary>
    public double DivergenceFactor { get; init; } = 4;

    /// <summary>Exponential smoothing of the recorded loss (weight of the past), in [0, 1). Default 0.98 (fastai's).</summary>
    public double Smoothing { get; init; } = 0.98;

    internal void Validate()
    {
        if (!Enum.IsDefined(Phase)) throw new ArgumentOutOfRangeException(nameof(Phase), $"Unknown phase {Phase}.");
        if (!(StartLearningRate > 0) || double.IsInfinity(StartLearningRate)) throw new ArgumentOutOfRangeException(nameof(StartLearningRate), $"StartLearningRate must be a finite value > 0; got {StartLearningRate}.");
        if (!(EndLearningRate > StartLearningRate) || double.IsInfinity(EndLearningRate)) throw new ArgumentOutOfRangeException(nameof(EndLearningRate), $"EndLearningRate must be finite and greater than StartLearningRate ({StartLearningRate}); got {EndLearningRate}.");
        if (MaxBatches < 2) throw new ArgumentOutOfRangeException(nameof(MaxBatches), $"MaxBatches must be >= 2; got {MaxBatches}.");
        if (!(DivergenceFactor > 1) || double.IsInfinity(DivergenceFactor)) throw new ArgumentOutOfRangeException(nameof(DivergenceFactor), $"DivergenceFactor must be a finite value > 1; got {DivergenceFactor}.");
        if (!(Smoothing >= 0 && Smoothing < 1)) throw new ArgumentOutOfRangeException(nameof(Smoothing), $"Smoothing must be in [0, 1); got {Smoothing}.");
        PhaseOptions?.Validate(nameof(PhaseOptions));
    }
}
