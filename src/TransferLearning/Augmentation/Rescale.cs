using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>Multiplies every value by <see cref="Factor"/> (Keras' <c>rescale</c>, e.g. 1/255).</summary>
public sealed class Rescale : IInPlaceAugmentation
{
    /// <summary>Creates the transform.</summary>
    /// <param name="factor">The finite multiplier.</param>
    public Rescale(double factor)
    {
        Factor = BatchGuard.Finite(factor, nameof(factor));
    }

    /// <summary>The multiplier.</summary>
    public double Factor { get; }

    /// <inheritdoc />
    public bool IsRandom => false;

    /// <inheritdoc />
    public Tensor Apply(Tensor batch, Random random) => Apply(batch);

    /// <summary>Rescales every value.</summary>
    /// <param name="batch">Float32 N×C×H×W; not modified.</param>
    /// <returns>A new tensor owned by the caller.</returns>
    public Tensor Apply(Tensor batch)
    {
        BatchGuard.Check(batch, nameof(batch));
        TorchNative.EnsureLoaded();
        return batch.mul(Factor);
    }

    void IInPlaceAugmentation.ApplyInPlace(Tensor batch) => batch.mul_(Factor);
}
