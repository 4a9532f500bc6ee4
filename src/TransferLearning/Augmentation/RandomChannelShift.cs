using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// Keras' <c>channel_shift_range</c>: adds one intensity drawn from [−<see cref="Range"/>, +<see cref="Range"/>] per
/// image to every channel, then clips to that image's own minimum and maximum before the shift.
/// </summary>
public sealed class RandomChannelShift : PhotometricAugmentation<double>
{
    /// <summary>Creates the transform.</summary>
    /// <param name="range">The intensity range on the 0..255 scale, ≥ 0.</param>
    public RandomChannelShift(double range)
    {
        Range = BatchGuard.NonNegative(range, nameof(range));
    }

    /// <summary>The intensity range.</summary>
    public double Range { get; }

    /// <inheritdoc />
    public override bool IsRandom => Range != 0;

    /// <inheritdoc />
    public override double[] Sample(Random random, int count)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = BatchGuard.Uniform(random, -Range, Range);
        return values;
    }

    /// <inheritdoc />
    protected override Tensor Transform(Tensor batch, IReadOnlyList<double> parameters)
    {
        var dims = new long[] { 1, 2, 3 };
        var min = batch.amin(dims, keepdim: true);
        var max = batch.amax(dims, keepdim: true);
        return batch.add(PerImage(parameters, batch)).clamp(min, max);
    }
}
