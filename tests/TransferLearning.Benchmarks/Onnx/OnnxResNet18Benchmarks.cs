using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Backbones.Onnx.Proto;
using static TorchSharp.torch;

namespace TransferLearning.Benchmarks.Onnx;

/// <summary>
/// Inference on the package's ResNet18.onnx (full graph, preprocessed input): ONNX Runtime 1.31.1 (baseline, CPU,
/// default session options) against the importer's TorchSharp module (eval, no_grad), same batch, same file.
/// </summary>
[MemoryDiagnoser(false)]
public class OnnxResNet18Benchmarks
{
    private const string Output = "Pooling395_Output_0";
    private InferenceSession _session = null!;
    private OrtValue _ortInput = null!;
    private RunOptions _runOptions = null!;
    private string _inputName = null!;
    private IDisposable _graph = null!;
    private Func<Tensor, Tensor> _forward = null!;
    private Tensor _input = null!;

    /// <summary>Images per batch.</summary>
    [Params(8)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string path = Path.Combine(AppContext.BaseDirectory, OnnxBackbone.ResNet18RelativePath);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        // A symbolic batch for ORT (the file declares 1); ours is dynamic anyway.
        model.Graph.Input[0].Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
        model.Graph.Output[0].Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
        model.Graph.ValueInfo.Clear();
        _inputName = model.Graph.Input[0].Name;
        _session = new InferenceSession(model.ToByteArray());
        _runOptions = new RunOptions();
        long[] shape = { Batch, 3, 224, 224 };
        var random = new Random(1);
        var data = Enumerable.Range(0, Batch * 3 * 224 * 224).Select(_ => (float)(random.NextDouble() * 255 - 120)).ToArray();
        _ortInput = OrtValue.CreateTensorValueFromMemory(data, shape);
        _input = tensor(data, shape);
        var graph = OnnxGraphImporter.Import(model, "benchmark", Output, "features");
        graph.eval();
        _graph = graph;
        _forward = graph.forward;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _ortInput.Dispose();
        _runOptions.Dispose();
        _graph.Dispose();
        _input.Dispose();
    }

    [Benchmark(Baseline = true)]
    public float OnnxRuntime()
    {
        using var results = _session.Run(_runOptions, new[] { _inputName }, new[] { _ortInput }, new[] { Output });
        return results[0].GetTensorDataAsSpan<float>()[0];
    }

    [Benchmark]
    public float ImportedTorchSharp()
    {
        using var noGrad = no_grad();
        using var y = _forward(_input);
        return y.data<float>()[0];
    }
}
