using BenchmarkDotNet.Attributes;
using TransferLearning.Data;

namespace TransferLearning.Benchmarks.Data;

/// <summary>
/// The loader throughput epoch (2 workers, Keras recipe fused into the decode, default full decode) with and without
/// faulting in each fresh batch tensor at once (<c>madvise(MADV_POPULATE_WRITE)</c>). Baseline: without.
/// Per image (OperationsPerInvoke = 1000): images/s = 1e9 / Mean(ns).
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class LoaderPrefaultBenchmarks
{
    private DirectoryImageDataset _dataset = null!;
    private ImageBatchLoader _loader = null!;
    private int _epoch;

    [Params(false, true)]
    public bool Prefault { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dataset = DirectoryImageDataset.FromDirectory(BenchmarkImages.EnsureDataset());
        _loader = ImageBatchLoader.ForTraining(_dataset, LoaderThroughputBenchmarks.RecipeOptions(workers: 2));
        _loader.PrefaultBatches = Prefault;
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
