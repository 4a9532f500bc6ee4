using BenchmarkDotNet.Attributes;
using SkiaSharp;
using TransferLearning.Augmentation;
using TransferLearning.Imaging;

namespace TransferLearning.Benchmarks.Data;

/// <summary>
/// One thread, 200 of the 500 × 375 benchmark JPEGs decoded and resized to 224 × 224 (bilinear), plain and with a
/// Keras-recipe augmentation matrix folded into the resample (rotation, zoom, shift, flips drawn per image from a seeded
/// Random): the decoder-side cost of the loader's fused path, without threads or tensors. Baseline: the Skia draw plus
/// byte-to-float pass the decoder used before its managed sampler. Per image (OperationsPerInvoke = 200):
/// images/s = 1e9 / Mean(ns).
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class FusedDecodeBenchmarks
{
    private const int Images = 200;
    private string[] _files = null!;
    private float[] _buffer = null!;
    private AffineMatrix[] _maps = null!;
    private ImageDecoder _skia = null!, _managed = null!, _managedFine = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = BenchmarkImages.EnsureDataset();
        _files = Directory.GetFiles(root, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(Images).ToArray();
        _buffer = new float[3 * 224 * 224];
        var options = new ImageDecodeOptions { TargetSize = new SKSizeI(224, 224), Interpolation = Interpolation.Bilinear };
        _skia = new ImageDecoder(options) { UseManagedSampler = false };
        _managed = new ImageDecoder(options);
        options.UseFineScaledDecoding = true;
        _managedFine = new ImageDecoder(options);
        var prefix = LoaderThroughputBenchmarks.KerasRecipe().SplitGeometricPrefix(224, 224)!;
        _maps = prefix.SampleMatrices(new Random(7), Images, 224, 224);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Images)]
    public void SkiaDecodeResize() => Run(_skia, augment: false);

    [Benchmark(OperationsPerInvoke = Images)]
    public void SkiaDecodeResizeAugment() => Run(_skia, augment: true);

    [Benchmark(OperationsPerInvoke = Images)]
    public void ManagedDecodeResize() => Run(_managed, augment: false);

    [Benchmark(OperationsPerInvoke = Images)]
    public void ManagedDecodeResizeAugment() => Run(_managed, augment: true);

    /// <summary>The same with <see cref="ImageDecodeOptions.UseFineScaledDecoding"/>: the JPEG decoded at 5/8 (313 × 235).</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public void ManagedFineScaledDecodeResizeAugment() => Run(_managedFine, augment: true);

    private void Run(ImageDecoder decoder, bool augment)
    {
        for (int i = 0; i < _files.Length; i++)
        {
            if (augment)
                decoder.DecodeInto(_files[i], _buffer, _maps[i], Resampling.Default);
            else
                decoder.DecodeInto(_files[i], _buffer);
        }
    }
}
