using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using SkiaSharp;
using TransferLearning.Augmentation;
using TransferLearning.Imaging;
using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Data;

/// <summary>
/// Reads a <see cref="DirectoryImageDataset"/> as batches: float32 N×C×H×W images (0..255), int64 class indices and
/// the file of every sample. Worker threads decode whole batches in parallel, at most
/// <see cref="ImageBatchLoaderOptions.PrefetchBatches"/> ahead of the consumer; batches arrive in order.
/// Create one with <see cref="ForTraining"/> (shuffles every epoch, may augment) or <see cref="ForEvaluation"/> (never
/// shuffles, never augments).
/// </summary>
/// <remarks>
/// Batches per epoch = ceil(n / batch size), or floor with <see cref="TrainingLoaderOptions.DropLast"/>. A file that
/// fails to decode under <see cref="BadFilePolicy.Skip"/> makes its batch one sample smaller (it is tried once, then
/// left out of later epochs), and a batch whose files all fail is not delivered, so an epoch can yield fewer or smaller
/// batches than <see cref="BatchesPerEpoch"/> says. Under <see cref="BadFilePolicy.Throw"/> the
/// <see cref="ImageDecodeException"/> naming the file surfaces on the consumer's thread.
/// </remarks>
public sealed class ImageBatchLoader : IImageBatchSource, IEpochOrderProvider, IDisposable
{
    private readonly DirectoryImageDataset _dataset;
    private readonly ImageDecoder _decoder;
    private readonly int _batchSize, _workers, _prefetch;
    private readonly bool _shuffle, _dropLast;
    private readonly IAugmentation? _augmentation;
    private readonly GeometricPrefix? _decodePrefix;
    private readonly BadFilePolicy _badFiles;
    private readonly ILogger? _logger;
    private readonly ConcurrentDictionary<string, string> _badFileReasons = new(StringComparer.Ordinal);
    private readonly List<SkippedFile> _skipped = new();
    private readonly CancellationTokenSource _disposed = new();
    private int _isDisposed;

    private ImageBatchLoader(DirectoryImageDataset dataset, ImageBatchLoaderOptions options, bool shuffle, bool dropLast,
        int shuffleSeed, IAugmentation? augmentation, int augmentationSeed, bool fuseIntoDecode)
    {
        _dataset = dataset;
        _decoder = new ImageDecoder(options.Decode);
        _batchSize = options.BatchSize;
        _workers = options.WorkerCount;
        _prefetch = options.EffectivePrefetch;
        _badFiles = options.BadFiles;
        _logger = options.Logger;
        _shuffle = shuffle;
        _dropLast = dropLast;
        _augmentation = augmentation;
        if (fuseIntoDecode)
            _decodePrefix = FusablePrefix(augmentation, _decoder.Options);
        ShuffleSeed = shuffleSeed;
        AugmentationSeed = augmentationSeed;
        _skipped.AddRange(dataset.SkippedFiles);
        BatchesPerEpoch = dropLast ? dataset.Count / _batchSize : (dataset.Count + _batchSize - 1) / _batchSize;
    }

    /// <summary>A training loader: reshuffles every epoch (unless <see cref="TrainingLoaderOptions.Shuffle"/> is off) and applies the augmentation, if any.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="options">Copied. Default: <c>new TrainingLoaderOptions()</c>.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message quotes it.</exception>
    public static ImageBatchLoader ForTraining(DirectoryImageDataset dataset, TrainingLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var o = (options ?? new TrainingLoaderOptions()).Clone();
        o.Validate(nameof(options));
        var loader = new ImageBatchLoader(dataset, o, o.Shuffle, o.DropLast, o.ShuffleSeed ?? Random.Shared.Next(),
            o.Augmentation, o.AugmentationSeed ?? Random.Shared.Next(), o.FuseGeometricIntoDecode);
        if (loader.BatchesPerEpoch == 0)
            throw new ArgumentException($"DropLast with BatchSize {o.BatchSize} leaves no batch of the {dataset.Count} samples.", nameof(options));
        return loader;
    }

    /// <summary>A validation or prediction loader: the dataset's order, every sample, no augmentation.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="options">Copied. Default: <c>new EvaluationLoaderOptions()</c>.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message quotes it.</exception>
    public static ImageBatchLoader ForEvaluation(DirectoryImageDataset dataset, EvaluationLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var o = (options ?? new EvaluationLoaderOptions()).Clone();
        o.Validate(nameof(options));
        return new ImageBatchLoader(dataset, o, shuffle: false, dropLast: false, shuffleSeed: 0, augmentation: null, augmentationSeed: 0, fuseIntoDecode: false);
    }

    /// <summary>The dataset read.</summary>
    public DirectoryImageDataset Dataset => _dataset;

    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames => _dataset.ClassNames;

    /// <inheritdoc />
    public int SampleCount => _dataset.Count;

    /// <inheritdoc />
    public int BatchesPerEpoch { get; }

    /// <inheritdoc />
    public int BatchSize => _batchSize;

    /// <inheritdoc />
    public ImageDecodeOptions DecodeOptions => _decoder.Options;

    /// <inheritdoc />
    public bool IsAugmented => _augmentation is { IsRandom: true };

    /// <summary>
    /// Whether the augmentation's leading geometric steps are folded into the decode on the CPU workers (see
    /// <see cref="TrainingLoaderOptions.FuseGeometricIntoDecode"/>): true when the option is on and the augmentation
    /// and decode options qualify, whatever device the batches are read to.
    /// </summary>
    public bool FusesGeometricIntoDecode => _decodePrefix is not null;

    /// <summary>Whether the order is reshuffled every epoch (never for an evaluation loader).</summary>
    public bool IsShuffled => _shuffle;

    /// <summary>The shuffle seed in force (the one chosen at random when none was given; 0 for an evaluation loader).</summary>
    public int ShuffleSeed { get; }

    /// <summary>The augmentation seed in force (the one chosen at random when none was given; 0 for an evaluation loader).</summary>
    public int AugmentationSeed { get; }

    /// <summary>Channels of each image (3 RGB, 1 grayscale, 4 RGBA).</summary>
    public int Channels => _decoder.Channels;

    /// <summary>
    /// Every file left out so far, with its reason: the dataset's own (<see cref="DirectoryImageDataset.SkippedFiles"/>)
    /// and those that failed to decode while reading batches. A snapshot.
    /// </summary>
    public IReadOnlyList<SkippedFile> SkippedFiles
    {
        get
        {
            lock (_skipped)
                return _skipped.ToArray();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The trainer's feature cache uses it to replay this loader's exact order. Indices are positions in
    /// <see cref="DirectoryImageDataset.Samples"/>; a bad file left out while reading still appears here.
    /// </remarks>
    public IReadOnlyList<int> GetEpochOrder(int epoch) => EpochIndices(epoch);

    /// <inheritdoc />
    /// <remarks>The sample's file path, as in <see cref="ImageBatch.Files"/>.</remarks>
    public string SampleId(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _dataset.Count);
        return _dataset.Samples[index].Path;
    }

    private int[] EpochIndices(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var order = Enumerable.Range(0, _dataset.Count).ToArray();
        if (_shuffle)
            new Random(Seeds.Mix(ShuffleSeed, epoch)).Shuffle(order);
        int count = Math.Min(order.Length, BatchesPerEpoch * _batchSize);
        return count == order.Length ? order : order[..count];
    }

    /// <summary>The samples of an epoch in delivery order (before any bad file is left out).</summary>
    /// <param name="epoch">Zero-based epoch number.</param>
    public IReadOnlyList<ImageSample> EpochOrder(int epoch)
    {
        return EpochIndices(epoch).Select(i => _dataset.Samples[i]).ToArray();
    }

    /// <inheritdoc />
    /// <remarks>
    /// Workers start when enumeration starts and stop when the enumerator is disposed (a <c>foreach</c> does that, also
    /// on <c>break</c> or an exception); batches decoded but not delivered are disposed then. Cancellation is checked
    /// between batches and ends the enumeration with an <see cref="OperationCanceledException"/>.
    /// For a non-CPU <paramref name="device"/> the workers still decode and augment on the CPU, into page-locked
    /// (pinned) host memory, and the batch is copied to the device with a non-blocking copy issued one batch ahead:
    /// the copy of batch n + 1 is queued before batch n is handed over, so it overlaps the work done on batch n.
    /// (This path was built and tested through the same code with CPU tensors; it never ran on a GPU.)
    /// </remarks>
    public IEnumerable<ImageBatch> ReadEpoch(int epoch, Device? device = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ObjectDisposedException.ThrowIf(_isDisposed != 0, this);
        TorchNative.EnsureLoaded();
        bool toDevice = device is not null && device.type != TorchSharp.DeviceType.CPU;
        if (!toDevice && StagingDevice is null)
            return Read(epoch, pin: false, cancellationToken);
        return DeviceFeed.OneAhead(Read(epoch, pin: toDevice, cancellationToken), toDevice ? device! : StagingDevice!, Transfer);
    }

    /// <summary>
    /// Tests only: stage CPU batches through the device feed as if <see cref="StagingDevice"/> were a GPU (pinning is
    /// CUDA's and is skipped; the copies are real copies), so the feed's order, lifetimes and look-ahead run on the CPU.
    /// </summary>
    internal Device? StagingDevice { get; set; }

    /// <summary>The copy the device feed issues (tests observe it); default: a non-blocking copy of each tensor.</summary>
    internal Func<ImageBatch, Device, ImageBatch> Transfer { get; set; } = DeviceFeed.CopyNonBlocking;

    /// <summary>Stops the workers of epochs still being read; later calls to <see cref="ReadEpoch"/> throw.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _isDisposed, 1) != 0)
            return;
        _disposed.Cancel();
        _disposed.Dispose();
    }

    /// <summary>The epoch's batches on the CPU, in order; with <paramref name="pin"/> in page-locked memory for a device copy.</summary>
    private IEnumerable<ImageBatch> Read(int epoch, bool pin, CancellationToken cancellationToken)
    {
        var order = EpochOrder(epoch);
        int batchCount = BatchesPerEpoch;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var slots = new TaskCompletionSource<ImageBatch?>[batchCount];
        for (int i = 0; i < batchCount; i++)
            slots[i] = new TaskCompletionSource<ImageBatch?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var capacity = new SemaphoreSlim(_prefetch, _prefetch);
        int next = -1;
        var threads = new Thread[Math.Min(_workers, batchCount)];
        for (int w = 0; w < threads.Length; w++)
        {
            threads[w] = new Thread(() => Work(epoch, order, pin, slots, capacity, ref next, stop.Token))
            {
                IsBackground = true,
                Name = $"ImageBatchLoader worker {w}",
            };
            threads[w].Start();
        }

        int delivered = 0;
        try
        {
            for (; delivered < batchCount; delivered++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ObjectDisposedException.ThrowIf(_isDisposed != 0, this);
                var task = slots[delivered].Task;
                try
                {
                    task.Wait(stop.Token);
                }
                catch (OperationCanceledException) when (!task.IsCompleted)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    ObjectDisposedException.ThrowIf(_isDisposed != 0, this);
                    throw;
                }
                catch (AggregateException e) when (e.InnerExceptions.Count == 1)
                {
                    ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
                }
                capacity.Release();
                var batch = task.Result;
                if (batch is null)
                    continue; // every file of the batch was skipped
                slots[delivered] = null!;
                yield return batch;
            }
        }
        finally
        {
            stop.Cancel();
            foreach (var t in threads)
                t.Join();
            for (int i = delivered; i < batchCount; i++)
            {
                var s = slots[i];
                if (s is not null && s.Task.IsCompletedSuccessfully)
                    s.Task.Result?.Dispose();
            }
        }
    }

    private void Work(int epoch, IReadOnlyList<ImageSample> order, bool pin, TaskCompletionSource<ImageBatch?>[] slots,
        SemaphoreSlim capacity, ref int next, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                capacity.Wait(stop);
                int index = Interlocked.Increment(ref next);
                if (index >= slots.Length)
                    return;
                try
                {
                    slots[index].SetResult(BuildBatch(epoch, index, order, pin, stop));
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    slots[index].TrySetCanceled(stop);
                    return;
                }
                catch (Exception e)
                {
                    slots[index].TrySetException(e);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting for room: the consumer is gone.
        }
    }

    private ImageBatch? BuildBatch(int epoch, int batchIndex, IReadOnlyList<ImageSample> order, bool pin, CancellationToken stop)
    {
        int start = batchIndex * _batchSize;
        int count = Math.Min(_batchSize, order.Count - start);
        var size = _decoder.Options.TargetSize!.Value;
        int channels = _decoder.Channels, perImage = _decoder.ValuesPerImage;
        var labels = new List<long>(count);
        var files = new List<string>(count);
        // Images are decoded straight into the tensor's memory: no managed buffer per batch.
        Tensor? images = empty(new long[] { count, channels, size.Height, size.Width }, ScalarType.Float32);
        if (PrefaultBatches)
            Prefault(images);
        Tensor? labelTensor = null;
        var prefix = _decodePrefix; // decode and geometry run on this CPU worker whatever the device; the batch is copied after
        Random? random = null;
        AffineMatrix[]? maps = null;
        if (_augmentation is not null)
        {
            random = new Random(Seeds.Mix(AugmentationSeed, epoch, batchIndex));
            if (prefix is not null)
                maps = prefix.SampleMatrices(random, count, size.Height, size.Width);
        }
        try
        {
            for (int k = 0; k < count; k++)
            {
                stop.ThrowIfCancellationRequested();
                var sample = order[start + k];
                if (_badFileReasons.ContainsKey(sample.Path))
                    continue;
                try
                {
                    var pixels = MemoryMarshal.Cast<byte, float>(images.bytes);
                    var slice = pixels.Slice(files.Count * perImage, perImage);
                    if (maps is null)
                        _decoder.DecodeInto(sample.Path, slice);
                    else
                        _decoder.DecodeInto(sample.Path, slice, maps[k], prefix!.Resampling);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    var decodeError = e as ImageDecodeException ?? new ImageDecodeException(sample.Path, e.Message, e);
                    if (_badFiles == BadFilePolicy.Throw)
                        throw decodeError;
                    RecordSkipped(sample.Path, decodeError.Reason);
                    continue;
                }
                labels.Add(sample.Label);
                files.Add(sample.Path);
            }
            if (files.Count == 0)
                return null;
            if (files.Count < count)
            {
                var kept = images.narrow(0, 0, files.Count).clone();
                images.Dispose();
                images = kept;
            }

            var remaining = prefix is null ? _augmentation : prefix.Rest;
            if (remaining is not null)
            {
                Tensor augmented;
                try
                {
                    // The batch is ours: a pipeline may centre or scale it in place instead of copying it.
                    augmented = remaining is AugmentationPipeline pipeline ? pipeline.ApplyToOwned(images, random!) : remaining.Apply(images, random!);
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"The augmentation failed on batch {batchIndex} of epoch {epoch} (files {string.Join(", ", files.Take(3).Select(f => $"'{f}'"))}{(files.Count > 3 ? ", ..." : "")}): {e.Message}", e);
                }
                if (!ReferenceEquals(augmented, images))
                {
                    images.Dispose();
                    images = augmented;
                }
                else if (remaining is not AugmentationPipeline)
                {
                    throw new InvalidOperationException($"The augmentation {remaining.GetType().Name} returned its input; IAugmentation.Apply must return a new tensor.");
                }
            }
            labelTensor = tensor(labels.ToArray(), ScalarType.Int64);
            if (pin)
            {
                // Page-locked host memory, so the device copy can run asynchronously (DeviceFeed).
                var pinned = images.pin_memory();
                images.Dispose();
                images = pinned;
                var pinnedLabels = labelTensor.pin_memory();
                labelTensor.Dispose();
                labelTensor = pinnedLabels;
            }
            var batch = new ImageBatch(images, labelTensor, files);
            images = null;
            labelTensor = null;
            return batch;
        }
        finally
        {
            images?.Dispose();
            labelTensor?.Dispose();
        }
    }

    /// <summary>
    /// The leading geometric steps of <paramref name="augmentation"/> when they can be applied during the decode-time
    /// resize with the same boundary rule as the tensor path: an <see cref="AugmentationPipeline"/> starting with
    /// geometric steps that resample bilinearly. For RGB and grayscale output every decode interpolation, fill mode
    /// and the keep-aspect-ratio crop fuse (bilinear decodes compose the two maps into one bilinear sample; nearest
    /// decodes sample the augmentation over the nearest resize's grid of decoded pixels, which is what the two
    /// resamples in turn give; bicubic and area decodes resize on the worker and resample that); RGBA output may keep
    /// transparency, which goes through a Skia draw, so there only bilinear decodes with nearest (Skia's clamp) and
    /// reflect (Skia's mirror) fill fuse, without the crop (see <see cref="ImageDecoder.CanFuse"/>).
    /// </summary>
    internal static GeometricPrefix? FusablePrefix(IAugmentation? augmentation, ImageDecodeOptions decode)
    {
        if (augmentation is not AugmentationPipeline pipeline || decode.TargetSize is null)
            return null;
        var size = decode.TargetSize.Value;
        var prefix = pipeline.SplitGeometricPrefix(size.Height, size.Width);
        if (prefix is null || prefix.Resampling.Interpolation != AffineInterpolation.Bilinear)
            return null;
        return ImageDecoder.CanFuse(decode, prefix.Resampling.FillMode) ? prefix : null;
    }

    /// <summary>Whether fresh batch tensors are faulted in at once (<see cref="PagePrefault"/>; internal switch for benchmarks).</summary>
    internal bool PrefaultBatches { get; set; } = true;

    /// <summary>Maps the pages of a fresh batch tensor at once: the decoder is about to write all of it.</summary>
    private static unsafe void Prefault(Tensor images)
    {
        var bytes = images.bytes;
        fixed (byte* p = bytes)
            PagePrefault.Populate((IntPtr)p, bytes.Length);
    }

    private void RecordSkipped(string path, string reason)
    {
        if (!_badFileReasons.TryAdd(path, reason))
            return;
        lock (_skipped)
            _skipped.Add(new SkippedFile(path, reason));
        _logger?.LogWarning("Skipping image file {File}: {Reason}", path, reason);
    }
}
