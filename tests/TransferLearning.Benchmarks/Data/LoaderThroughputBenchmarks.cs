using BenchmarkDotNet.Attributes;
using SkiaSharp;
using TransferLearning.Data;
using TransferLearning.Imaging;

namespace TransferLearning.Benchmarks.Data;

/// <summary>
/// One epoch over 1,000 photo-like 500 × 375 JPEGs in 4 classes: decode, resize to 224 × 224 (bilinear), optional
/// stand-in Keras augmentation, batches of 32. Reported per image (OperationsPerInvoke = 1000), so
/// images/s = 1e9 / Mean(ns). Baseline: 1 worker, no augmentation.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
[MemoryDiagnoser]
public class LoaderThroughputBenchmarks
{
    private DirectoryImageDataset _dataset = null!;
    private ImageBatchLoader _loader = null!;
    private int _epoch;

    [Params(1, 2)]
    public int Workers { get; set; }

    [Params(false, true)]
    public bool Augment { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dataset = DirectoryImageDataset.FromDirectory(BenchmarkImages.EnsureDataset());
        _loader = ImageBatchLoader.ForTraining(_dataset, new TrainingLoaderOptions
        {
            BatchSize = 32,
            WorkerCount = Workers,
            ShuffleSeed = 1,
            AugmentationSeed = 2,
            Augmentation = Augment ? new StandInKerasAugmentation() : null,
            Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(224, 224), Interpolation = Interpolation.Bilinear },
        });
    }

    [GlobalCleanup]
    public void Cleanup() => _loader.Dispose();

    [Benchmark(OperationsPerInvoke = BenchmarkImages.Count)]
    public long Epoch()
    {
        long samples = 0;
        foreach (var batch in _loader.ReadEpoch(_epoch++))
            using (batch)
                samples += batch.Count;
        if (samples != _dataset.Count)
            throw new InvalidOperationException($"Read {samples} samples, expected {_dataset.Count}.");
        return samples;
    }
}
