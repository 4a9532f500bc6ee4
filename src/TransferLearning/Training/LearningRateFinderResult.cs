namespace TransferLearning.Training;

/// <summary>
/// The curve of a learning-rate range test and the rates it suggests (fastai's rules). Plot it with
/// <c>TransferLearning.Reporting.LearningRateFinderChart.SaveChart</c>.
/// </summary>
public sealed record LearningRateFinderResult
{
    /// <summary>The learning rate of each batch run, increasing.</summary>
    public required IReadOnlyList<double> LearningRates { get; init; }

    /// <summary>Each batch's training loss.</summary>
    public required IReadOnlyList<double> Losses { get; init; }

    /// <summary>The exponentially smoothed, bias-corrected losses the suggestions are read from.</summary>
    public required IReadOnlyList<double> SmoothedLosses { get; init; }

    /// <summary>
    /// fastai's default rule, "valley": the middle of the longest stretch over which the smoothed loss keeps falling
    /// (the suggested rate).
    /// </summary>
    public required double Valley { get; init; }

    /// <summary>fastai's "steep": the rate where the smoothed loss falls fastest against log(rate) (over a window of ±1/20 of the points).</summary>
    public required double Steepest { get; init; }

    /// <summary>fastai's "minimum": a tenth of the rate with the lowest smoothed loss.</summary>
    public required double Minimum { get; init; }

    /// <summary>The suggested rate: <see cref="Valley"/>.</summary>
    public double Suggested => Valley;

    /// <summary>Whether the test stopped before its last batch because the loss diverged (or became non-finite).</summary>
    public required bool Diverged { get; init; }

    /// <summary>The phase whose setup was tested.</summary>
    public required TrainingPhase Phase { get; init; }

    /// <summary>
    /// The first index of the range the suggestions were read from: as fastai does, the first tenth of the batches and
    /// the last five are left out (start-up noise and the divergence).
    /// </summary>
    public required int SuggestionStart { get; init; }

    /// <summary>One past the last index of the range the suggestions were read from.</summary>
    public required int SuggestionEnd { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"lr_find ({Phase}, {LearningRates.Count} batches{(Diverged ? ", diverged" : "")}): valley {Valley:G3}, steep {Steepest:G3}, minimum/10 {Minimum:G3}";
}
