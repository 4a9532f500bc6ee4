namespace TransferLearning.Training;

/// <summary>The model's answer for one image.</summary>
/// <param name="Probabilities">Softmax probabilities in class order.</param>
/// <param name="ClassNames">The class names in the same order.</param>
public sealed record Prediction(IReadOnlyList<float> Probabilities, IReadOnlyList<string> ClassNames)
{
    /// <summary>The logits the probabilities are the softmax of, in class order (empty when not recorded).</summary>
    public IReadOnlyList<float> Logits { get; init; } = Array.Empty<float>();

    /// <summary>The file (or sample identifier) predicted, when the prediction came from a file or a batch source; else <c>null</c>.</summary>
    public string? Source { get; init; }

    /// <summary>Index of the most probable class.</summary>
    public int ClassIndex { get; } = ArgMax(Probabilities);

    /// <summary>Name of the most probable class.</summary>
    public string ClassName => ClassNames[ClassIndex];

    /// <summary>Probability of the most probable class.</summary>
    public float Confidence => Probabilities[ClassIndex];

    private static int ArgMax(IReadOnlyList<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Count; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
