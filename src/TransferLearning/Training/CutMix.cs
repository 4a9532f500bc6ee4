using static TorchSharp.torch;

namespace TransferLearning.Training;

/// <summary>
/// CutMix (Yun et al. 2019, fastai's <c>CutMix</c>): a rectangle of a shuffled partner image is pasted into each image;
/// the rectangle covers a fraction 1 − λ of the area (clipped at the borders), and the labels are weighted by the
/// areas actually kept and pasted.
/// </summary>
public sealed class CutMix : BatchMix
{
    /// <summary>CutMix with Beta(α, α) area fractions.</summary>
    /// <param name="alpha">Default 1 (a uniform area fraction, as in the paper and fastai).</param>
    /// <param name="probability">Chance that a batch is mixed. Default 1.</param>
    public CutMix(double alpha = 1.0, double probability = 1.0) : base(alpha, probability)
    {
    }

    /// <inheritdoc />
    protected override (Tensor Images, double LabelWeight) Mix(Tensor images, Tensor partners, double lambda, Random random)
    {
        long h = images.shape[2], w = images.shape[3];
        double cut = Math.Sqrt(1 - lambda);
        long cutH = (long)(h * cut), cutW = (long)(w * cut);
        long cy = (long)(random.NextDouble() * h), cx = (long)(random.NextDouble() * w);
        long y0 = Math.Clamp(cy - cutH / 2, 0, h), y1 = Math.Clamp(cy + cutH / 2, 0, h);
        long x0 = Math.Clamp(cx - cutW / 2, 0, w), x1 = Math.Clamp(cx + cutW / 2, 0, w);
        var mixed = images.clone();
        if (y1 > y0 && x1 > x0)
        {
            using var patch = partners.narrow(2, y0, y1 - y0).narrow(3, x0, x1 - x0);
            using var target = mixed.narrow(2, y0, y1 - y0).narrow(3, x0, x1 - x0);
            target.copy_(patch);
        }
        double pasted = (double)(y1 - y0) * (x1 - x0) / (h * w);
        return (mixed, 1 - pasted);
    }

    /// <inheritdoc />
    public override string ToString() => $"CutMix(alpha {Alpha}, p {Probability})";
}
