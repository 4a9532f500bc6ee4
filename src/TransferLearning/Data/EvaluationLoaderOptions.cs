namespace TransferLearning.Data;

/// <summary>
/// Options of a validation or prediction loader (<see cref="ImageBatchLoader.ForEvaluation"/>): the dataset's order,
/// every sample, no augmentation. There is nothing to set that could shuffle or augment.
/// </summary>
public sealed class EvaluationLoaderOptions : ImageBatchLoaderOptions
{
    /// <summary>A copy of these options (the decode options are copied; the logger is shared).</summary>
    public EvaluationLoaderOptions Clone()
    {
        var copy = (EvaluationLoaderOptions)MemberwiseClone();
        CopyTo(copy);
        return copy;
    }
}
