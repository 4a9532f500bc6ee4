using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>
/// Divides each image by its standard deviation over all pixels and channels plus 1e-6 (population std, as Keras'
/// <c>samplewise_std_normalization</c>: <c>x / (std(x) + 1e-6)</c>).
/// </summary>
public sealed class SamplewiseStdNormalization : IInPlaceAugmentation
{
    /// <inheritdoc />
    public bool IsRandom => false;

    /// <inheritdoc />
    public Tensor Apply(Tensor batch, Random random) => Apply(batch);

    /// <summary>Normalises every image.</summary>
    /// <param name="batch">Float32 N×C×H×W; not modified.</param>
    /// <returns>A new tensor owned by the caller.</returns>
    public Tensor Apply(Tensor batch)
    {
        BatchGuard.Check(batch, nameof(batch));
        TorchNative.EnsureLoaded();
        using var scope = NewDisposeScope();
        var std = batch.std(new long[] { 1, 2, 3 }, unbiased: false, keepdim: true);
        return batch.div(std.add(1e-6)).MoveToOuterDisposeScope();
    }

    void IInPlaceAugmentation.ApplyInPlace(Tensor batch)
    {
        using var std = batch.std(new long[] { 1, 2, 3 }, unbiased: false, keepdim: true);
        std.add_(1e-6);
        batch.div_(std);
    }
}
