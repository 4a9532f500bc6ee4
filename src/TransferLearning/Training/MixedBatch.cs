using static TorchSharp.torch;

namespace TransferLearning.Training;

/// <summary>The result of a <see cref="BatchMix"/>: owns its tensors (dispose them, or create it in a dispose scope).</summary>
/// <param name="Images">The mixed images, the input's shape.</param>
/// <param name="Targets">N × classes soft labels; each row sums to one.</param>
/// <param name="DominantLabels">Per image the class with the larger weight (for training accuracy).</param>
/// <param name="LabelWeight">The weight of the original images' labels (1 when the batch was not mixed).</param>
public sealed record MixedBatch(Tensor Images, Tensor Targets, Tensor DominantLabels, double LabelWeight) : IDisposable
{
    /// <summary>Frees the three tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Targets.Dispose();
        DominantLabels.Dispose();
    }
}
