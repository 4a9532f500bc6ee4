using BenchmarkDotNet.Attributes;
using SkiaSharp;
using TransferLearning.Imaging;

namespace TransferLearning.Benchmarks.Data;

/// <summary>
/// One thread decoding 200 of the 500 × 375 benchmark JPEGs and resizing to 224 × 224 (bilinear): full decode
/// (baseline), the default scaled-decoding rule (which does not apply here: 500 × 375 is less than twice 224, so it
/// equals a full decode), a 5/8 decode (UseFineScaledDecoding) and a half-scale decode (ScaledDecodingMinimumCoverage =
/// 0.8). The reference:
/// ≈ 440 vs ≈ 650 images/s per thread.
/// Per image (OperationsPerInvoke = 200): images/s = 1e9 / Mean(ns).
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class DecodeScalingBenchmarks
{
    private const int Images = 200;
    private string[] _files = null!;
    private float[] _buffer = null!;

    private const Interpolation Interpolation = TransferLearning.Imaging.Interpolation.Bilinear;

    [GlobalSetup]
    public void Setup()
    {
        var root = BenchmarkImages.EnsureDataset();
        _files = Directory.GetFiles(root, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(Images).ToArray();
        _buffer = new float[3 * 224 * 224];
    }

    private void Run(bool scaled, double coverage = 1.0, bool fine = false)
    {
        var decoder = new ImageDecoder(new ImageDecodeOptions { TargetSize = new SKSizeI(224, 224), Interpolation = Interpolation, UseScaledDecoding = scaled, ScaledDecodingMinimumCoverage = coverage, UseFineScaledDecoding = fine });
        foreach (var f in _files)
            decoder.DecodeInto(f, _buffer);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Images)]
    public void FullDecode() => Run(scaled: false);

    [Benchmark(OperationsPerInvoke = Images)]
    public void ScaledDecode() => Run(scaled: true);

    /// <summary>5/8 decode (313 x 235), the smallest DCT scale that still covers 224: UseFineScaledDecoding.</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public void FineScaledDecode() => Run(scaled: true, fine: true);

    /// <summary>Half-scale decode (250 x 188) allowed by a coverage of 0.8: the "half-scale decode" reference.</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public void HalfScaleDecode() => Run(scaled: true, coverage: 0.8);
}
