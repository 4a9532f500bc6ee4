using BenchmarkDotNet.Attributes;
using SkiaSharp;
using TransferLearning.Data;
using TransferLearning.Imaging;

namespace TransferLearning.Benchmarks.Data;

/// <summary>
/// The 2-worker epoch of <see cref="LoaderThroughputBenchmarks"/> (no augmentation) with the default scaled-decoding
/// rule (baseline; a full decode for 500 × 375 → 224) against a half-scale decode (ScaledDecodingMinimumCoverage 0.8).
/// Per image: images/s = 1e9 / Mean(ns).
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class LoaderScaledDecodeBenchmarks
{
    private DirectoryImageDataset _dataset = null!;
    private ImageBatchLoader _loader = null!;
    private int _epoch;

    [Params(1.0, 0.8)]
    public double Coverage { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dataset = DirectoryImageDataset.FromDirectory(BenchmarkImages.EnsureDataset());
        _loader = ImageBatchLoader.ForTraining(_dataset, new TrainingLoaderOptions
        {
            BatchSize = 32,
            WorkerCount = 2,
            ShuffleSeed = 1,
            Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(224, 224), Interpolation = Interpolation.Bilinear, ScaledDecodingMinimumCoverage = Coverage },
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
        return samples;
    }
}
