using BenchmarkDotNet.Attributes;
using SkiaSharp;
using TransferLearning.Imaging;

namespace TransferLearning.Benchmarks.Data;

/// <summary>
/// One thread decoding 200 of the 500 × 375 benchmark JPEGs and resizing to 224 × 224 (bilinear): full decode
/// (baseline) against the codec's scaled decode. The reference: ≈ 440 vs ≈ 650 images/s per thread.
/// Per image (OperationsPerInvoke = 200): images/s = 1e9 / Mean(ns).
/// </summary>
[ShortRunJob]
public class DecodeScalingBenchmarks
{
    private const int Images = 200;
    private string[] _files = null!;
    private float[] _buffer = null!;

    [Params(Interpolation.Bilinear, Interpolation.Area)]
    public Interpolation Interpolation { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var root = BenchmarkImages.EnsureDataset();
        _files = Directory.GetFiles(root, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(Images).ToArray();
        _buffer = new float[3 * 224 * 224];
    }

    private void Run(bool scaled)
    {
        var decoder = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(224, 224), Interpolation = Interpolation, UseScaledDecoding = scaled });
        foreach (var f in _files)
            decoder.DecodeInto(f, _buffer);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Images)]
    public void FullDecode() => Run(scaled: false);

    [Benchmark(OperationsPerInvoke = Images)]
    public void ScaledDecode() => Run(scaled: true);
}
