using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// Keras' <c>brightness_range</c>: multiplies each image by a factor drawn from [<see cref="Lower"/>,
/// <see cref="Upper"/>] (1 keeps the image) and clips to 0..255, as PIL's brightness enhancer that Keras uses
/// (without its 8-bit rounding).
/// </summary>
public sealed class RandomBrightness : PhotometricAugmentation<double>
{
    /// <summary>Creates the transform.</summary>
    /// <param name="lower">Smallest factor, ≥ 0.</param>
    /// <param name="upper">Largest factor, ≥ <paramref name="lower"/>.</param>
    public RandomBrightness(double lower, double upper)
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

    /// <inheritdoc />
    protected override Tensor Transform(Tensor batch, IReadOnlyList<double> parameters) =>
        batch.mul(PerImage(parameters, batch)).clamp(0, 255);
}
