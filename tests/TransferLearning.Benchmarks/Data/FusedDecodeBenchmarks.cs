using BenchmarkDotNet.Attributes;
using SkiaSharp;
using TransferLearning.Augmentation;
using TransferLearning.Imaging;

namespace TransferLearning.Benchmarks.Data;

/// <summary>
/// One thread, 200 of the 500 × 375 benchmark JPEGs decoded and resized to 224 × 224 (bilinear): plain (baseline)
/// against the same decode with a Keras-recipe augmentation matrix folded into the draw (rotation, zoom, shift, flips
/// drawn per image from a seeded Random) — the decoder-side cost of the loader's fused path, without threads or tensors.
/// Per image (OperationsPerInvoke = 200): images/s = 1e9 / Mean(ns).
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class FusedDecodeBenchmarks
{
    private const int Images = 200;
    private string[] _files = null!;
    private float[] _buffer = null!;
    private AffineMatrix[] _maps = null!;
    private ImageDecoder _decoder = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = BenchmarkImages.EnsureDataset();
        _files = Directory.GetFiles(root, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(Images).ToArray();
        _buffer = new float[3 * 224 * 224];
        _decoder = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(224, 224), Interpolation = Interpolation.Bilinear });
        var prefix = LoaderThroughputBenchmarks.KerasRecipe().SplitGeometricPrefix(224, 224)!;
        _maps = prefix.SampleMatrices(new Random(7), Images, 224, 224);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Images)]
    public void DecodeResize()
    {
        foreach (var f in _files)
            _decoder.DecodeInto(f, _buffer);
    }

    [Benchmark(OperationsPerInvoke = Images)]
    public void DecodeResizeAugment()
    {
        for (int i = 0; i < _files.Length; i++)
            _decoder.DecodeInto(_files[i], _buffer, _maps[i], SKShaderTileMode.Clamp);
    }
}
