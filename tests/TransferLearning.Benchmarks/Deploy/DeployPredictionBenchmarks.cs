using BenchmarkDotNet.Attributes;
using SkiaSharp;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Benchmarks.Data;
using TransferLearning.Imaging;
using TransferLearning.OnnxRuntime;
using TransferLearning.Training;

namespace TransferLearning.Benchmarks.Deploy;

/// <summary>
/// Serving cost, decode included: the same 256 JPEGs (500 × 375) through <see cref="TransferTrainer.Predict(IEnumerable{string})"/>
/// (baseline: TorchSharp, the packaged ResNet18 with a 4-class head, 224 × 224 bilinear) and through the deploy package's
/// <see cref="OnnxImageClassifier"/> on the file <see cref="TransferTrainer.ExportOnnx"/> wrote from that trainer
/// (ONNX Runtime CPU, default session options), with parallel and with sequential decoding. Batches of 32 everywhere.
/// One operation takes tens of seconds on the shared 2-core machine: run it with 1 warm-up and 3 measured invocations
/// (<c>--strategy Monitoring --warmupCount 1 --iterationCount 3</c>, docs/performance.md), which keeps a whole case
/// inside the in-process toolchain's time limit.
/// </summary>
[MemoryDiagnoser(false)]
public class DeployPredictionBenchmarks
{
    private const int Images = 256, Size = 224, Batch = 32;
    private string[] _files = null!;
    private string _model = null!;
    private TransferLearning.Backbones.PretrainedBackbone _backbone = null!;
    private TransferTrainer _trainer = null!;
    private OnnxImageClassifier _parallel = null!;
    private OnnxImageClassifier _sequential = null!;

    [GlobalSetup]
    public void Setup()
    {
        _files = Directory.EnumerateFiles(BenchmarkImages.EnsureDataset(), "*.jpg", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).Take(Images).ToArray();
        _backbone = OnnxBackbone.ResNet18FromPackage();
        var decode = new ImageDecodeOptions { TargetSize = new SKSizeI(Size, Size), Interpolation = Interpolation.Bilinear };
        _trainer = new TransferTrainer(_backbone, new[] { "a", "b", "c", "d" },
            new TransferTrainerOptions { Decode = decode, PredictionBatchSize = Batch, Device = TorchSharp.torch.CPU });
        _model = Path.Combine(Path.GetTempPath(), $"transferlearning-bench-deploy-{Environment.ProcessId}.onnx");
        _trainer.ExportOnnx(_model);
        _parallel = new OnnxImageClassifier(_model, new OnnxClassifierOptions { BatchSize = Batch });
        _sequential = new OnnxImageClassifier(_model, new OnnxClassifierOptions { BatchSize = Batch, DecodeParallelism = 1 });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _parallel.Dispose();
        _sequential.Dispose();
        _trainer.Dispose();
        _backbone.Dispose();
        File.Delete(_model);
    }

    [Benchmark(Baseline = true, Description = "TransferTrainer.Predict (TorchSharp)")]
    public int TrainerPredict() => _trainer.Predict(_files).Count;

    [Benchmark(Description = "OnnxImageClassifier (ONNX Runtime, parallel decode)")]
    public int DeployPredict() => _parallel.Predict(_files).Count;

    [Benchmark(Description = "OnnxImageClassifier (ONNX Runtime, sequential decode)")]
    public int DeployPredictSequentialDecode() => _sequential.Predict(_files).Count;
}

