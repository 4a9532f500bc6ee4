using TransferLearning.Augmentation;
using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Data;

/// <summary>
/// An in-memory <see cref="IImageBatchSource"/> over an image tensor and its labels: for tests, for data that is already
/// decoded, and for benchmarks. Optionally reshuffles every epoch from a seed and applies an <see cref="IAugmentation"/>
/// to every batch (seeded per epoch, so an epoch is reproducible).
/// </summary>
public sealed class TensorBatchSource : IImageBatchSource, IEpochOrderProvider, IDisposable
{
    private readonly Tensor _images;
    private readonly Tensor _labels;
    private readonly string[] _classNames;
    private readonly string[] _ids;
    private readonly bool _shuffle;
    private readonly int _seed;
    private readonly IAugmentation? _augmentation;
    private bool _disposed;

    /// <summary>Creates a source; the tensors are copied (to the CPU), so the caller keeps ownership of its own.</summary>
    /// <param name="images">Float32 N×3×H×W, values 0..255.</param>
    /// <param name="labels">N class indices (any integer dtype).</param>
    /// <param name="classNames">Class names in index order.</param>
    /// <param name="batchSize">Samples per batch (the last batch may be smaller). Default 32.</param>
    /// <param name="shuffle">Whether every epoch visits the samples in a new order derived from <paramref name="seed"/> and the epoch. Default <c>false</c>.</param>
    /// <param name="seed">Seed of the shuffle and of the augmentation's random source. Default 0.</param>
    /// <param name="augmentation">Applied to every batch, or <c>null</c>. Default <c>null</c>.</param>
    /// <param name="sampleIds">An identifier per sample for <see cref="ImageBatch.Files"/>; default <c>sample-0</c>, <c>sample-1</c>, …</param>
    public TensorBatchSource(Tensor images, Tensor labels, IReadOnlyList<string> classNames, int batchSize = 32, bool shuffle = false,
        int seed = 0, IAugmentation? augmentation = null, IReadOnlyList<string>? sampleIds = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        TorchNative.EnsureLoaded();
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"images must be N x 3 x H x W; got shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (images.dtype != ScalarType.Float32)
            throw new ArgumentException($"images must be float32 with values 0..255; got {images.dtype}.", nameof(images));
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels must be a vector of {images.shape[0]} class indices; got shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        if (images.shape[0] == 0) throw new ArgumentException("images must hold at least one sample.", nameof(images));
        if (classNames.Count == 0) throw new ArgumentException("classNames must not be empty.", nameof(classNames));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be >= 1; got {batchSize}.");
        int count = (int)images.shape[0];
        if (sampleIds != null && sampleIds.Count != count)
            throw new ArgumentException($"sampleIds must name {count} samples; got {sampleIds.Count}.", nameof(sampleIds));
        using (var scope = NewDisposeScope())
        {
            var labels64 = labels.detach().cpu().to(ScalarType.Int64);
            long min = labels64.min().item<long>(), max = labels64.max().item<long>();
            if (min < 0 || max >= classNames.Count)
                throw new ArgumentOutOfRangeException(nameof(labels), $"labels must be in 0..{classNames.Count - 1}; found values {min}..{max}.");
            _labels = labels64.clone().DetachFromDisposeScope();
            _images = images.detach().cpu().clone().DetachFromDisposeScope();
        }
        _classNames = classNames.ToArray();
        _ids = sampleIds?.ToArray() ?? Enumerable.Range(0, count).Select(i => $"sample-{i}").ToArray();
        BatchSize = batchSize;
        _shuffle = shuffle;
        _seed = seed;
        _augmentation = augmentation;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <inheritdoc />
    public int SampleCount => _ids.Length;

    /// <inheritdoc />
    public int BatchSize { get; }

    /// <inheritdoc />
    public int BatchesPerEpoch => (SampleCount + BatchSize - 1) / BatchSize;

    /// <inheritdoc />
    public bool IsShuffled => _shuffle;

    /// <summary>Whether an augmentation with random output is applied (<see cref="IAugmentation.IsRandom"/>).</summary>
    public bool IsAugmented => _augmentation is { IsRandom: true };

    /// <summary>Height and width of the images.</summary>
    public (int Height, int Width) ImageSize => ((int)_images.shape[2], (int)_images.shape[3]);

    /// <inheritdoc />
    public string SampleId(int index) => _ids[index];

    /// <inheritdoc />
    public IReadOnlyList<int> GetEpochOrder(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch must be >= 0; got {epoch}.");
        var order = Enumerable.Range(0, SampleCount).ToArray();
        if (!_shuffle) return order;
        var random = new Random(Seeds.Mix(_seed, epoch, 0x5348));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <inheritdoc />
    /// <remarks>On a CUDA device batches are copied from pinned host memory without blocking.</remarks>
    public IEnumerable<ImageBatch> ReadEpoch(int epoch, Device? device = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var order = GetEpochOrder(epoch);
        return Read(epoch, order, device, cancellationToken);
    }

    private IEnumerable<ImageBatch> Read(int epoch, IReadOnlyList<int> order, Device? device, CancellationToken cancellationToken)
    {
        var random = _augmentation != null ? new Random(Seeds.Mix(_seed, epoch, 0x4155)) : null;
        bool cuda = device is { type: TorchSharp.DeviceType.CUDA };
        for (int start = 0; start < order.Count; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(BatchSize, order.Count - start);
            var indices = new long[n];
            var files = new string[n];
            for (int i = 0; i < n; i++)
            {
                indices[i] = order[start + i];
                files[i] = _ids[order[start + i]];
            }
            ImageBatch batch;
            using (var scope = NewDisposeScope())
            {
                var index = tensor(indices);
                var images = _images.index_select(0, index);
                var labels = _labels.index_select(0, index);
                if (random != null) images = _augmentation!.Apply(images, random);
                if (device != null && device.type != TorchSharp.DeviceType.CPU)
                {
                    images = (cuda ? images.pin_memory() : images).to(device, non_blocking: cuda);
                    labels = (cuda ? labels.pin_memory() : labels).to(device, non_blocking: cuda);
                }
                batch = new ImageBatch(images.DetachFromDisposeScope(), labels.DetachFromDisposeScope(), files);
            }
            yield return batch;
        }
    }

    /// <summary>Frees the copied tensors.</summary>
    public void Dispose()
    {
        _disposed = true;
        _images.Dispose();
        _labels.Dispose();
    }
}
