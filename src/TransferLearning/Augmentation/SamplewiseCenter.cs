using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Augmentation;

/// <summary>Subtracts each image's mean over all its pixels and channels (one scalar per image), as Keras' <c>samplewise_center</c>.</summary>
public sealed class SamplewiseCenter : IInPlaceAugmentation
{
    /// <inheritdoc />
    public bool IsRandom => false;

    /// <inheritdoc />
    public Tensor Apply(Tensor batch, Random random) => Apply(batch);

    /// <summary>Centres every image.</summary>
    /// <param name="batch">Float32 N×C×H×W; not modified.</param>
    /// <returns>A new tensor owned by the caller.</returns>
    public Tensor Apply(Tensor batch)
    {
        BatchGuard.Check(batch, nameof(batch));
        TorchNative.EnsureLoaded();
        using var scope = NewDisposeScope();
        return batch.sub(batch.mean(new long[] { 1, 2, 3 }, keepdim: true)).MoveToOuterDisposeScope();
    }

    void IInPlaceAugmentation.ApplyInPlace(Tensor batch)
    {
        if (ManagedSamplewise.CanRun(batch))
        {
            ManagedSamplewise.CenterInPlace(batch);
            return;
        }
        using var mean = batch.mean(new long[] { 1, 2, 3 }, keepdim: true);
        batch.sub_(mean);
    }
}
