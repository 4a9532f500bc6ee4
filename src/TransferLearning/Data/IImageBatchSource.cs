using TransferLearning.Imaging;
using static TorchSharp.torch;

namespace TransferLearning.Data;

/// <summary>
/// Anything that yields labelled image batches epoch by epoch: <c>ImageBatchLoader</c> over a folder, an
/// in-memory set of tensors, or a user's own source. The trainer consumes this interface only.
/// </summary>
public interface IImageBatchSource
{
    /// <summary>Class names in index order.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of samples in one epoch.</summary>
    int SampleCount { get; }

    /// <summary>Number of batches in one epoch (ceil(samples / batch size), or floor with drop-last).</summary>
    int BatchesPerEpoch { get; }

    /// <summary>
    /// Samples per batch: every batch of an epoch holds this many except, without drop-last, the last one. The trainer's
    /// feature cache replays batches of this size.
    /// </summary>
    int BatchSize { get; }

    /// <summary>
    /// Whether the order of the samples changes from epoch to epoch. The feature cache of a source that cannot announce
    /// its order (<see cref="IEpochOrderProvider"/>) reshuffles its replay only when this is true.
    /// </summary>
    bool IsShuffled { get; }

    /// <summary>
    /// How the source decodes image files, when it does (<see cref="ImageBatchLoader"/>), so that a model trained on it
    /// decodes files for prediction the same way; <c>null</c> (the default) for sources of tensors.
    /// </summary>
    ImageDecodeOptions? DecodeOptions => null;

    /// <summary>
    /// Whether batches are randomly augmented (then the same sample differs between epochs, and a frozen backbone's
    /// features cannot be cached).
    /// </summary>
    bool IsAugmented { get; }

    /// <summary>
    /// Reads the batches of one epoch. Each batch is owned by the receiver, who disposes it. The order may depend on
    /// <paramref name="epoch"/> (reshuffling) but is the same for the same epoch number and seed.
    /// </summary>
    /// <param name="epoch">Zero-based epoch number, used to derive the epoch's shuffle and augmentation seeds.</param>
    /// <param name="device">Device to deliver batches on; <c>null</c> for the CPU.</param>
    /// <param name="cancellationToken">Stops reading between batches.</param>
    IEnumerable<ImageBatch> ReadEpoch(int epoch, Device? device = null, CancellationToken cancellationToken = default);
}
