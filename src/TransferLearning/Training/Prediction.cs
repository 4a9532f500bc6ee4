namespace TransferLearning.Training;

/// <summary>The model's answer for one image.</summary>
/// <param name="Probabilities">Softmax probabilities in class order.</param>
/// <param name="ClassNames">The class names in the same order.</param>
public sealed record Prediction(IReadOnlyList<float> Probabilities, IReadOnlyList<string> ClassNames)
{
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
