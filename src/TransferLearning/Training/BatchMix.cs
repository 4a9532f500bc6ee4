using static TorchSharp.torch;

namespace TransferLearning.Training;

/// <summary>
/// A batch augmentation that mixes pairs of training images and their labels: <see cref="Mixup"/> blends whole
/// images, <see cref="CutMix"/> pastes a rectangle of one into the other. Each batch is paired with a shuffled copy of
/// itself and a mixing weight λ ~ Beta(<see cref="Alpha"/>, <see cref="Alpha"/>) is drawn; the loss is the
/// cross-entropy against the mixed (soft) labels λ·y + (1 − λ)·y′. Set it on
/// <see cref="PhaseOptions.BatchMix"/>; training accuracy counts the label with the larger weight.
/// </summary>
/// <remarks>
/// A phase with a batch mix never uses the feature cache (its images differ every epoch), like an augmented source.
/// Draws come from a generator seeded by (trainer seed, phase, epoch, batch), so runs repeat.
/// </remarks>
public abstract class BatchMix
{
    /// <summary>Sets the Beta distribution's parameter and the chance of mixing a batch.</summary>
    /// <param name="alpha">Beta(α, α) of the mixing weight, &gt; 0; fastai's default 0.4 for mixup, 1 for CutMix.</param>
    /// <param name="probability">Chance that a batch is mixed, in (0, 1].</param>
    protected BatchMix(double alpha, double probability)
    {
        if (!(alpha > 0) || double.IsInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), $"alpha must be a finite value > 0; got {alpha}.");
        if (!(probability > 0 && probability <= 1)) throw new ArgumentOutOfRangeException(nameof(probability), $"probability must be in (0, 1]; got {probability}.");
        Alpha = alpha;
        Probability = probability;
    }

    /// <summary>The parameter of Beta(α, α), the distribution of the mixing weight.</summary>
    public double Alpha { get; }

    /// <summary>The chance that a batch is mixed (otherwise it trains as it is).</summary>
    public double Probability { get; }

    /// <summary>
    /// Mixes a batch: N×C×H×W images and N labels (class indices) into images of the same shape and N×<paramref name="classCount"/>
    /// soft targets whose rows sum to one. Returns new tensors; the inputs are not modified.
    /// </summary>
    /// <param name="images">The batch.</param>
    /// <param name="labels">Class indices (int64), one per image.</param>
    /// <param name="classCount">Number of classes (the width of the targets).</param>
    /// <param name="random">Source of λ, the pairing and (CutMix) the rectangle.</param>
    public MixedBatch Apply(Tensor images, Tensor labels, int classCount, Random random)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(random);
        if (images.dim() != 4) throw new ArgumentException($"images must be N x C x H x W; got shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels must have one class index per image ({images.shape[0]}); got shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), $"classCount must be >= 2; got {classCount}.");

        int n = (int)images.shape[0];
        var oneHot = nn.functional.one_hot(labels.to(ScalarType.Int64), classCount).to(ScalarType.Float32);
        if (n < 2 || random.NextDouble() >= Probability)
            return new MixedBatch(images.alias(), oneHot, labels.alias(), 1.0);

        var order = Enumerable.Range(0, n).ToArray();
        random.Shuffle(order);
        using var permutation = tensor(order.Select(i => (long)i).ToArray(), device: images.device);
        double lambda = SampleBeta(random, Alpha);
        using var partners = images.index_select(0, permutation);
        var (mixed, weight) = Mix(images, partners, lambda, random);
        using var partnerOneHot = oneHot.index_select(0, permutation);
        var targets = oneHot.mul(weight).add_(partnerOneHot.mul(1 - weight));
        var dominant = weight >= 0.5 ? labels.alias() : labels.index_select(0, permutation);
        oneHot.Dispose();
        return new MixedBatch(mixed, targets, dominant, weight);
    }

    /// <summary>
    /// Mixes each image with its partner for a drawn weight λ; returns the mixed batch and the weight of the original
    /// images' labels (λ itself for a blend, the kept area's fraction for a pasted rectangle).
    /// </summary>
    /// <param name="images">The batch.</param>
    /// <param name="partners">The batch in shuffled order.</param>
    /// <param name="lambda">The drawn weight, in [0, 1].</param>
    /// <param name="random">For any further draw (e.g. a rectangle's position).</param>
    protected abstract (Tensor Images, double LabelWeight) Mix(Tensor images, Tensor partners, double lambda, Random random);

    /// <summary>A Beta(α, α) sample as X / (X + Y) of two Gamma(α, 1) samples.</summary>
    internal static double SampleBeta(Random random, double alpha)
    {
        double x = SampleGamma(random, alpha), y = SampleGamma(random, alpha);
        return x + y > 0 ? x / (x + y) : 0.5;
    }

    /// <summary>Marsaglia and Tsang's method; for α &lt; 1 through Gamma(α + 1) · U^(1/α).</summary>
    private static double SampleGamma(Random random, double alpha)
    {
        if (alpha < 1) return SampleGamma(random, alpha + 1) * Math.Pow(1 - random.NextDouble(), 1 / alpha);
        double d = alpha - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = SampleNormal(random);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1 - random.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    private static double SampleNormal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
