using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace TransferLearning.Benchmarks.Data;

// The loader benchmarks run in-process: BenchmarkDotNet's generated out-of-process project does not get the
// TorchSharp-cpu backend / libLibTorchSharp fix that the benchmark app's own build applies, so TorchSharp fails to load
// there ("doesn't contain a reference to libtorch-cpu-linux-x64").

/// <summary>ShortRun (3 warm-ups, 3 iterations), in-process.</summary>
public sealed class InProcessShortRunConfig : ManualConfig
{
    public InProcessShortRunConfig() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}

/// <summary>One cold invocation, in-process (for the memory-over-epochs probe).</summary>
public sealed class InProcessColdStartConfig : ManualConfig
{
    public InProcessColdStartConfig() => AddJob(Job.Dry.WithStrategy(RunStrategy.ColdStart).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(1).WithToolchain(InProcessEmitToolchain.Instance));
}
