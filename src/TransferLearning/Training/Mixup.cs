using static TorchSharp.torch;

namespace TransferLearning.Training;

/// <summary>
/// Mixup (Zhang et al. 2018, fastai's <c>MixUp</c>): each image becomes λ·x + (1 − λ)·x′ with a shuffled partner x′ and
/// its label λ·y + (1 − λ)·y′. λ is drawn once per batch; as fastai does, λ is replaced by max(λ, 1 − λ), so the
/// original image always dominates.
/// </summary>
public sealed class Mixup : BatchMix
{
    /// <summary>Mixup with Beta(α, α) weights.</summary>
    /// <param name="alpha">Default 0.4 (fastai's); larger mixes more evenly.</param>
    /// <param name="probability">Chance that a batch is mixed. Default 1.</param>
    public Mixup(double alpha = 0.4, double probability = 1.0) : base(alpha, probability)
    {
    }

    /// <inheritdoc />
    protected override (Tensor Images, double LabelWeight) Mix(Tensor images, Tensor partners, double lambda, Random random)
    {
        double weight = Math.Max(lambda, 1 - lambda);
        return (images.mul(weight).add_(partners.mul(1 - weight)), weight);
    }

    /// <inheritdoc />
    public override string ToString() => $"Mixup(alpha {Alpha}, p {Probability})";
}
