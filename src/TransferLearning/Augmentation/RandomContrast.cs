using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// torchvision's contrast adjustment: blends each image with the mean of its greyscale version by a factor drawn from
/// [<see cref="Lower"/>, <see cref="Upper"/>] (<c>f·x + (1 − f)·mean</c>, 1 keeps the image), clipped to 0..255.
/// </summary>
public sealed class RandomContrast : PhotometricAugmentation<double>
{
    /// <summary>Creates the transform.</summary>
    /// <param name="lower">Smallest factor, ≥ 0.</param>
    /// <param name="upper">Largest factor, ≥ <paramref name="lower"/>.</param>
    public RandomContrast(double lower, double upper)
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
    protected override Tensor Transform(Tensor batch, IReadOnlyList<double> parameters)
    {
        var mean = Greyscale.Of(batch).mean(new long[] { 1, 2, 3 }, keepdim: true);
        var f = PerImage(parameters, batch);
        return batch.mul(f).add(mean.mul(f.neg().add(1))).clamp(0, 255);
    }
}
