using BenchmarkDotNet.Attributes;
using TorchSharp;
using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Benchmarks.Augmentation;

/// <summary>
/// The Keras recipe (rotation 180, zoom 0.1, shifts 0.1, both flips, samplewise centre) on a 32×3×224×224 batch:
/// fused (one resample per batch) vs one resample per transform, each with the managed kernel and with libtorch's
/// grid_sample, against raw affine_grid + grid_sample alone. One operation = one batch of 32 images.
/// </summary>
[MemoryDiagnoser(false)]
public class AugmentationPipelineBenchmarks
{
    private const int BatchSize = 32;
    private Tensor batch = null!;
    private Tensor theta = null!;
    private AugmentationPipeline fusedManaged = null!, fusedGridSample = null!, unfusedManaged = null!, unfusedGridSample = null!;
    private AugmentationPipeline geometricOnly = null!;
    private Random random = null!;

    /// <summary>libtorch's intra-op threads, which the managed kernel follows too (torch.set_num_threads).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Native.TorchNative.EnsureLoaded();
        torch.set_num_threads(Threads);
        using var generator = new Generator(1234, new Device(DeviceType.CPU));
        batch = rand(new long[] { BatchSize, 3, 224, 224 }, generator: generator).mul_(255);
        var keras = new KerasImageDataGenerator
        {
            SamplewiseCenter = true, RotationRange = 180, ZoomRange = 0.1,
            WidthShiftRange = 0.1, HeightShiftRange = 0.1, HorizontalFlip = true, VerticalFlip = true,
        };
        var steps = keras.ToPipeline().Steps;
        fusedManaged = new AugmentationPipeline(steps) { Engine = ResamplerEngine.Managed };
        fusedGridSample = new AugmentationPipeline(steps) { Engine = ResamplerEngine.GridSample };
        unfusedManaged = new AugmentationPipeline(steps) { Engine = ResamplerEngine.Managed, FuseGeometric = false };
        geometricOnly = new AugmentationPipeline(steps.Where(s => s is IGeometricAugmentation)) { Engine = ResamplerEngine.Managed };
        unfusedGridSample = new AugmentationPipeline(steps) { Engine = ResamplerEngine.GridSample, FuseGeometric = false };
        // Random rotations as N×2×3 normalised affine matrices for the raw baseline.
        var r = new Random(7);
        var t = new float[BatchSize * 6];
        for (int i = 0; i < BatchSize; i++)
        {
            double a = (r.NextDouble() * 2 - 1) * Math.PI;
            t[6 * i] = (float)Math.Cos(a); t[6 * i + 1] = (float)-Math.Sin(a);
            t[6 * i + 3] = (float)Math.Sin(a); t[6 * i + 4] = (float)Math.Cos(a);
        }
        theta = tensor(t, new long[] { BatchSize, 2, 3 });
        random = new Random(42);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        batch.Dispose();
        theta.Dispose();
    }

    [Benchmark(Baseline = true, Description = "affine_grid + grid_sample alone")]
    public void AffineGridSampleAlone()
    {
        using var grid = nn.functional.affine_grid(theta, new long[] { BatchSize, 3, 224, 224 }, align_corners: true);
        using var output = nn.functional.grid_sample(batch, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: true);
    }

    [Benchmark(Description = "Keras recipe, fused, managed kernel")]
    public void FusedManaged()
    {
        using var output = fusedManaged.Apply(batch, random);
    }

    [Benchmark(Description = "Keras recipe without samplewise centre, fused, managed kernel")]
    public void GeometricOnlyManaged()
    {
        using var output = geometricOnly.Apply(batch, random);
    }

    [Benchmark(Description = "Keras recipe, fused, grid_sample")]
    public void FusedGridSample()
    {
        using var output = fusedGridSample.Apply(batch, random);
    }

    [Benchmark(Description = "Keras recipe, one resample per transform, managed kernel")]
    public void UnfusedManaged()
    {
        using var output = unfusedManaged.Apply(batch, random);
    }

    [Benchmark(Description = "Keras recipe, one resample per transform, grid_sample")]
    public void UnfusedGridSample()
    {
        using var output = unfusedGridSample.Apply(batch, random);
    }
}
