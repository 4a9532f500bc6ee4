using BenchmarkDotNet.Attributes;
using SkiaSharp;
using TransferLearning.Augmentation;
using TransferLearning.Data;
using TransferLearning.Imaging;

namespace TransferLearning.Benchmarks.Data;

/// <summary>How the loader benchmark augments.</summary>
public enum LoaderAugmentMode
{
    /// <summary>Decode + resize only.</summary>
    None,

    /// <summary>The built-in Keras-recipe pipeline applied to each decoded batch tensor (two resamples per image).</summary>
    Tensor,

    /// <summary>The same pipeline, its geometric steps folded into the decode-time resize (one resample per image).</summary>
    Fused,

    /// <summary>Fused, with <c>UseFineScaledDecoding</c>: the JPEG decoded at 5/8 (313 × 235 → 224), still covering the target.</summary>
    FusedFineScaledDecode,

    /// <summary>Fused, with the JPEG decoded at half scale (<c>ScaledDecodingMinimumCoverage = 0.8</c>: 250 × 188 → 224).</summary>
    FusedHalfScaleDecode,
}

/// <summary>
/// One epoch over 1,000 photo-like 500 × 375 JPEGs in 4 classes: decode, resize to 224 × 224 (bilinear), the Keras
/// recipe (rotation 180, zoom 0.1, shifts 0.1, both flips, samplewise center) through the real
/// <see cref="KerasImageDataGenerator"/> → <see cref="AugmentationPipeline"/>, batches of 32. Reported per image
/// (OperationsPerInvoke = 1000), so images/s = 1e9 / Mean(ns). Baseline: 1 worker, no augmentation.
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

    [Params(LoaderAugmentMode.None, LoaderAugmentMode.Tensor, LoaderAugmentMode.Fused, LoaderAugmentMode.FusedFineScaledDecode, LoaderAugmentMode.FusedHalfScaleDecode)]
    public LoaderAugmentMode Mode { get; set; }

    /// <summary>The Keras recipe of issue 4.</summary>
    public static AugmentationPipeline KerasRecipe() => new KerasImageDataGenerator
    {
        RotationRange = 180,
        ZoomRange = 0.1,
        WidthShiftRange = 0.1,
        HeightShiftRange = 0.1,
        HorizontalFlip = true,
        VerticalFlip = true,
        SamplewiseCenter = true,
    }.ToPipeline();

    /// <summary>
    /// The loader of issue 4's epoch with the library's defaults otherwise: batches of 32, fixed seeds, the Keras
    /// recipe, 224 × 224 bilinear (fused into the decode, full JPEG decode for these photos).
    /// </summary>
    public static TrainingLoaderOptions RecipeOptions(int workers) => new()
    {
        BatchSize = 32,
        WorkerCount = workers,
        ShuffleSeed = 1,
        AugmentationSeed = 2,
        Augmentation = KerasRecipe(),
        Decode = new ImageDecodeOptions { TargetSize = new SKSizeI(224, 224), Interpolation = Interpolation.Bilinear },
    };

    [GlobalSetup]
    public void Setup()
    {
        _dataset = DirectoryImageDataset.FromDirectory(BenchmarkImages.EnsureDataset());
        var options = RecipeOptions(Workers);
        if (Mode == LoaderAugmentMode.None)
            options.Augmentation = null;
        options.FuseGeometricIntoDecode = Fused;
        options.Decode.ScaledDecodingMinimumCoverage = Mode == LoaderAugmentMode.FusedHalfScaleDecode ? 0.8 : 1.0;
        options.Decode.UseFineScaledDecoding = Mode == LoaderAugmentMode.FusedFineScaledDecode;
        _loader = ImageBatchLoader.ForTraining(_dataset, options);
        if (_loader.FusesGeometricIntoDecode != Fused)
            throw new InvalidOperationException($"Mode {Mode}: FusesGeometricIntoDecode = {_loader.FusesGeometricIntoDecode}.");
    }

    private bool Fused => Mode is LoaderAugmentMode.Fused or LoaderAugmentMode.FusedFineScaledDecode or LoaderAugmentMode.FusedHalfScaleDecode;

    [GlobalCleanup]
    public void Cleanup() => _loader.Dispose();

    [Benchmark(OperationsPerInvoke = BenchmarkImages.Count, Baseline = false)]
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
