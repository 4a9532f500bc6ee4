using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// Keras' <c>brightness_range</c>: multiplies each image by a factor drawn from [<see cref="RandomFactorAugmentation.Lower"/>,
/// <see cref="RandomFactorAugmentation.Upper"/>] (1 keeps the image) and clips to 0..255, as PIL's brightness enhancer that Keras uses
/// (without its 8-bit rounding).
/// </summary>
public sealed class RandomBrightness : RandomFactorAugmentation
{
    /// <summary>Creates the transform.</summary>
    /// <param name="lower">Smallest factor, ≥ 0.</param>
    /// <param name="upper">Largest factor, ≥ <paramref name="lower"/>.</param>
    public RandomBrightness(double lower, double upper) : base(lower, upper) { }

    /// <inheritdoc />
    protected override Tensor Transform(Tensor batch, IReadOnlyList<double> parameters) =>
        batch.mul(PerImage(parameters, batch)).clamp(0, 255);
}
