using TorchSharp;
using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// Adds zero-mean Gaussian noise of standard deviation <see cref="StandardDeviation"/> (0..255 scale), not clipped.
/// The parameter of each image is a 64-bit seed drawn from the caller's <see cref="Random"/>, which seeds a
/// libtorch generator for that image, so one seed reproduces the noise on any device.
/// </summary>
public sealed class GaussianNoise : PhotometricAugmentation<long>
{
    /// <summary>Creates the transform.</summary>
    /// <param name="standardDeviation">The noise's standard deviation, ≥ 0.</param>
    public GaussianNoise(double standardDeviation)
    {
        StandardDeviation = BatchGuard.NonNegative(standardDeviation, nameof(standardDeviation));
    }

    /// <summary>The noise's standard deviation.</summary>
    public double StandardDeviation { get; }

    /// <inheritdoc />
    public override bool IsRandom => StandardDeviation != 0;

    /// <inheritdoc />
    public override long[] Sample(Random random, int count)
    {
        ArgumentNullException.ThrowIfNull(random);
        var seeds = new long[count];
        for (int i = 0; i < count; i++) seeds[i] = random.NextInt64(long.MaxValue);
        return seeds;
    }

    /// <inheritdoc />
    protected override Tensor Transform(Tensor batch, IReadOnlyList<long> parameters)
    {
        var shape = batch.shape.Skip(1).ToArray();
        var noise = new Tensor[parameters.Count];
        for (int i = 0; i < noise.Length; i++)
        {
            using var generator = new Generator((ulong)parameters[i], new Device(DeviceType.CPU));
            noise[i] = randn(shape, ScalarType.Float32, generator: generator);
        }
        var all = noise.Length == 0 ? zeros_like(batch) : stack(noise).to(batch.device);
        return batch.add(all.mul(StandardDeviation));
    }
}
