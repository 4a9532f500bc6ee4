namespace TransferLearning.OnnxRuntime;

/// <summary>
/// The model's answer for one image — the same shape as the training library's <c>TransferLearning.Training.Prediction</c>
/// (which this package cannot reference without TorchSharp): probabilities and logits in class order, the top class.
/// </summary>
/// <param name="Probabilities">Softmax probabilities in class order.</param>
/// <param name="ClassNames">The class names in the same order.</param>
public sealed record Prediction(IReadOnlyList<float> Probabilities, IReadOnlyList<string> ClassNames)
{
    /// <summary>The logits the probabilities are the softmax of, in class order.</summary>
    public IReadOnlyList<float> Logits { get; init; } = Array.Empty<float>();

    /// <summary>The file predicted, when the prediction came from a file; else <c>null</c>.</summary>
    public string? Source { get; init; }

    /// <summary>Index of the most probable class.</summary>
    public int ClassIndex { get; } = ArgMax(Probabilities);

    /// <summary>Name of the most probable class.</summary>
    public string ClassName => ClassNames[ClassIndex];

    /// <summary>Probability of the most probable class.</summary>
    public float Confidence => Probabilities[ClassIndex];

    /// <summary>The probability of the class named <paramref name="className"/>.</summary>
    /// <exception cref="KeyNotFoundException">The model has no such class; the message lists the classes.</exception>
    public float ProbabilityOf(string className)
    {
        for (int i = 0; i < ClassNames.Count; i++) if (ClassNames[i] == className) return Probabilities[i];
        throw new KeyNotFoundException($"The model has no class '{className}'; its classes are [{string.Join(", ", ClassNames)}].");
    }

    private static int ArgMax(IReadOnlyList<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Count; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
