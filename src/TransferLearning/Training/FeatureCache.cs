using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace TransferLearning.Training;

/// <summary>
/// Pooled backbone features of a whole data set, indexed by sample, with their labels: a tensor on the training device
/// while it fits in the memory limit, else a temporary file of float32 rows (deleted on dispose).
/// </summary>
internal sealed class FeatureCache : IDisposable
{
    private readonly long[] _labels;
    private readonly bool[] _filled;
    private readonly Device _device;
    private Tensor? _features;
    private FileStream? _file;
    private readonly string? _filePath;

    public FeatureCache(int sampleCount, int featureLength, long memoryLimitBytes, Device device)
    {
        SampleCount = sampleCount;
        FeatureLength = featureLength;
        _labels = new long[sampleCount];
        _filled = new bool[sampleCount];
        _device = device;
        long bytes = (long)sampleCount * featureLength * sizeof(float);
        if (bytes <= memoryLimitBytes)
        {
            _features = zeros(new long[] { sampleCount, featureLength }, device: device).DetachFromDisposeScope();
        }
        else
        {
            _filePath = Path.Combine(Path.GetTempPath(), $"transferlearning-features-{Guid.NewGuid():N}.bin");
            _file = new FileStream(_filePath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            _file.SetLength(bytes);
        }
    }

    /// <summary>Number of samples (after <see cref="Truncate"/>, the number actually stored).</summary>
    public int SampleCount { get; private set; }

    /// <summary>Keeps only the first <paramref name="count"/> samples (a source that yielded fewer than it announced).</summary>
    public void Truncate(int count) => SampleCount = Math.Min(SampleCount, count);

    public int FeatureLength { get; }

    /// <summary>Whether the features live in a temporary file.</summary>
    public bool IsSpilled => _file != null;

    /// <summary>Whether sample <paramref name="index"/> has features.</summary>
    public bool Contains(int index) => _filled[index];

    /// <summary>Whether every sample has features.</summary>
    public bool IsComplete => _filled.Take(SampleCount).All(f => f);

    public IReadOnlyList<long> Labels => _labels;

    /// <summary>Stores N×D <paramref name="features"/> of the samples at <paramref name="indices"/>.</summary>
    public void Store(IReadOnlyList<int> indices, Tensor features, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var labelValues = labels.cpu().to(ScalarType.Int64).data<long>().ToArray();
        for (int i = 0; i < indices.Count; i++)
        {
            _labels[indices[i]] = labelValues[i];
            _filled[indices[i]] = true;
        }
        if (_features is not null)
        {
            using var _ = no_grad();
            _features.index_copy_(0, tensor(indices.Select(i => (long)i).ToArray(), device: _device), features.detach().to(_device));
            return;
        }
        var rows = features.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var bytes = MemoryMarshal.AsBytes(rows.AsSpan());
        int rowBytes = FeatureLength * sizeof(float);
        for (int i = 0; i < indices.Count; i++)
        {
            _file!.Position = (long)indices[i] * rowBytes;
            _file.Write(bytes.Slice(i * rowBytes, rowBytes));
        }
    }

    /// <summary>Features (N×D, on the device) and labels (N) of the samples at <paramref name="indices"/>: new tensors the caller owns.</summary>
    public (Tensor Features, Tensor Labels) Gather(IReadOnlyList<int> indices)
    {
        var labels = tensor(indices.Select(i => _labels[i]).ToArray(), device: _device);
        if (_features is not null)
        {
            using var scope = NewDisposeScope();
            var index = tensor(indices.Select(i => (long)i).ToArray(), device: _device);
            return (_features.index_select(0, index).MoveToOuterDisposeScope(), labels);
        }
        var rows = new float[indices.Count * FeatureLength];
        var bytes = MemoryMarshal.AsBytes(rows.AsSpan());
        int rowBytes = FeatureLength * sizeof(float);
        for (int i = 0; i < indices.Count; i++)
        {
            _file!.Position = (long)indices[i] * rowBytes;
            _file.ReadExactly(bytes.Slice(i * rowBytes, rowBytes));
        }
        var cpuRows = tensor(rows, new long[] { indices.Count, FeatureLength });
        if (_device.type == TorchSharp.DeviceType.CPU) return (cpuRows, labels);
        using (cpuRows) return (cpuRows.to(_device), labels);
    }

    public void Dispose()
    {
        _features?.Dispose();
        _features = null;
        _file?.Dispose();
        _file = null;
        if (_filePath != null && File.Exists(_filePath)) File.Delete(_filePath);
    }
}
