namespace TransferLearning.Training;

/// <summary>The result of <see cref="TransferTrainer.Evaluate(Data.IImageBatchSource, CancellationToken)"/>: overall metrics, per-class precision and recall, and the confusion matrix.</summary>
public sealed record EvaluationResult
{
    /// <summary>Class names in index order.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Number of evaluated samples.</summary>
    public required int SampleCount { get; init; }

    /// <summary>Mean loss (the training loss: cross-entropy on logits with the configured label smoothing and class weights).</summary>
    public required double Loss { get; init; }

    /// <summary>Accuracy, 0..1.</summary>
    public required double Accuracy { get; init; }

    /// <summary>Top-k accuracy, 0..1.</summary>
    public required double TopKAccuracy { get; init; }

    /// <summary>The k of <see cref="TopKAccuracy"/>.</summary>
    public required int TopK { get; init; }

    /// <summary>Counts: <c>ConfusionMatrix[actual][predicted]</c>.</summary>
    public required IReadOnlyList<IReadOnlyList<int>> ConfusionMatrix { get; init; }

    /// <summary>Every sample's prediction (logits, probabilities, <see cref="Prediction.Source"/>) in the source's order; empty when not recorded.</summary>
    public IReadOnlyList<Prediction> Predictions { get; init; } = Array.Empty<Prediction>();

    /// <summary>Every sample's actual class index, in the order of <see cref="Predictions"/>.</summary>
    public IReadOnlyList<int> Labels { get; init; } = Array.Empty<int>();

    /// <summary>Per class: correct predictions of the class / all predictions of the class (0 when the class was never predicted).</summary>
    public IReadOnlyList<double> Precision => Enumerable.Range(0, ClassNames.Count).Select(c =>
    {
        int predicted = ConfusionMatrix.Sum(row => row[c]);
        return predicted == 0 ? 0 : (double)ConfusionMatrix[c][c] / predicted;
    }).ToArray();

    /// <summary>Per class: correct predictions of the class / samples of the class (0 when the class has no samples).</summary>
    public IReadOnlyList<double> Recall => Enumerable.Range(0, ClassNames.Count).Select(c =>
    {
        int actual = ConfusionMatrix[c].Sum();
        return actual == 0 ? 0 : (double)ConfusionMatrix[c][c] / actual;
    }).ToArray();
}
