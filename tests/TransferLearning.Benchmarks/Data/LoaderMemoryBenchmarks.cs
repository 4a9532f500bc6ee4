using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using TransferLearning.Data;
using static TorchSharp.torch;

namespace TransferLearning.Benchmarks.Data;

/// <summary>
/// Memory across epochs: one invocation reads 5 epochs of the 1,000-image set with 2 workers and the Keras-recipe pipeline
/// augmentation, and prints after each epoch the process working set, private memory, managed heap (after a full collection) and live tensors
/// ("loader-memory epoch ..." lines in the benchmark log; also written to loader-memory.txt in the artifacts folder).
/// </summary>
[Config(typeof(InProcessColdStartConfig))]
public class LoaderMemoryBenchmarks
{
    private DirectoryImageDataset _dataset = null!;

    [GlobalSetup]
    public void Setup() => _dataset = DirectoryImageDataset.FromDirectory(BenchmarkImages.EnsureDataset());

    [Benchmark]
    public void FiveEpochs()
    {
        using var loader = ImageBatchLoader.ForTraining(_dataset, LoaderThroughputBenchmarks.RecipeOptions(workers: 2));
        var lines = new List<string>();
        var process = Process.GetCurrentProcess();
        for (int epoch = 0; epoch < 5; epoch++)
        {
            var watch = Stopwatch.StartNew();
            foreach (var batch in loader.ReadEpoch(epoch))
                batch.Dispose();
            watch.Stop();
            long managed = GC.GetTotalMemory(forceFullCollection: true);
            process.Refresh();
            var line = $"loader-memory epoch {epoch + 1}: working set {process.WorkingSet64 / 1048576.0:F1} MiB, private {process.PrivateMemorySize64 / 1048576.0:F1} MiB, " +
                       $"managed heap after a full GC {managed / 1048576.0:F1} MiB, live tensors {Tensor.TotalCount}, {_dataset.Count / watch.Elapsed.TotalSeconds:F0} images/s";
            Console.WriteLine(line);
            lines.Add(line);
        }
        File.WriteAllLines(Path.Combine(Path.GetTempPath(), "transferlearning-bench", "loader-memory.txt"), lines);
    }
}
