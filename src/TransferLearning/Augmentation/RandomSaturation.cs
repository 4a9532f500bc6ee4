using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// torchvision's saturation adjustment: blends each RGB image with its greyscale version by a factor drawn from
/// [<see cref="RandomFactorAugmentation.Lower"/>, <see cref="RandomFactorAugmentation.Upper"/>] (0 gives grey, 1 keeps the image), clipped to 0..255. Needs 3 channels.
/// </summary>
public sealed class RandomSaturation : RandomFactorAugmentation
{
    /// <summary>Creates the transform.</summary>
    /// <param name="lower">Smallest factor, ≥ 0.</param>
    /// <param name="upper">Largest factor, ≥ <paramref name="lower"/>.</param>
    public RandomSaturation(double lower, double upper) : base(lower, upper) { }

    /// <inheritdoc />
    protected override Tensor Transform(Tensor batch, IReadOnlyList<double> parameters)
    {
        if (batch.shape[1] != 3)
            throw new ArgumentException($"Saturation needs RGB images (3 channels); got {batch.shape[1]} channels.", "batch");
        var grey = Greyscale.Of(batch);
        var f = PerImage(parameters, batch);
        return batch.mul(f).add(grey.mul(f.neg().add(1))).clamp(0, 255);
    }
}
