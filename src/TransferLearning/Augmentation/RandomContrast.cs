using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// torchvision's contrast adjustment: blends each image with the mean of its greyscale version by a factor drawn from
/// [<see cref="RandomFactorAugmentation.Lower"/>, <see cref="RandomFactorAugmentation.Upper"/>] (<c>f·x + (1 − f)·mean</c>, 1 keeps the image), clipped to 0..255.
/// </summary>
public sealed class RandomContrast : RandomFactorAugmentation
{
    /// <summary>Creates the transform.</summary>
    /// <param name="lower">Smallest factor, ≥ 0.</param>
    /// <param name="upper">Largest factor, ≥ <paramref name="lower"/>.</param>
    public RandomContrast(double lower, double upper) : base(lower, upper) { }

    /// <inheritdoc />
    protected override Tensor Transform(Tensor batch, IReadOnlyList<double> parameters)
    {
        var mean = Greyscale.Of(batch).mean(new long[] { 1, 2, 3 }, keepdim: true);
        var f = PerImage(parameters, batch);
        return batch.mul(f).add(mean.mul(f.neg().add(1))).clamp(0, 255);
    }
}
