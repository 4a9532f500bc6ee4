using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// A photometric transform driven by one factor per image, drawn uniformly from [<see cref="Lower"/>, <see cref="Upper"/>]
/// (brightness, contrast, saturation). Subclasses only say how a factor changes an image.
/// </summary>
public abstract class RandomFactorAugmentation : PhotometricAugmentation<double>
{
    /// <summary>Validates and stores the factor range.</summary>
    /// <param name="lower">Smallest factor, ≥ 0.</param>
    /// <param name="upper">Largest factor, ≥ <paramref name="lower"/>.</param>
    protected RandomFactorAugmentation(double lower, double upper)
    {
        BatchGuard.Range(lower, upper, nameof(lower), nameof(upper));
        BatchGuard.NonNegative(lower, nameof(lower));
        Lower = lower;
        Upper = upper;
    }

    /// <summary>Smallest factor.</summary>
    public double Lower { get; }

    /// <summary>Largest factor.</summary>
    public double Upper { get; }

    /// <inheritdoc />
    public override bool IsRandom => Lower != Upper;

    /// <inheritdoc />
    public override double[] Sample(Random random, int count)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = BatchGuard.Uniform(random, Lower, Upper);
        return values;
    }
}
