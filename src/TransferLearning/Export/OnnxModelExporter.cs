using System.Reflection;
using TransferLearning.Backbones;
using TransferLearning.Backbones.Onnx.Proto;
using TransferLearning.Training;
using static TorchSharp.torch;
using static TransferLearning.Export.OnnxGraphBuilder;

namespace TransferLearning.Export;

/// <summary>
/// Writes a trained model — preprocessing, backbone features, pooling (and the backbone's pooled normalisation, such as
/// ConvNeXt's LayerNorm2d), head, optional softmax — as one ONNX graph with
/// the current weights and the <see cref="OnnxModelMetadata"/>, to a temporary file renamed over the target.
/// </summary>
internal static class OnnxModelExporter
{
    private const string Batch = "batch";

    public static OnnxModelMetadata Export(PretrainedBackbone backbone, ClassifierHead head, IReadOnlyList<string> classNames, InputContract contract,
        string path, OnnxExportOptions options)
    {
        var o = options.Validated();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var g = new OnnxGraphBuilder(o.Opset, $"{backbone.Name}_classifier");
        g.Fresh(o.InputName);
        g.Graph.Input.Add(Value(o.InputName, Batch, 3, contract.Height, contract.Width));
        string x = Preprocess(g, backbone.Preprocessing, o.InputName);
        x = TorchModuleEmitter.Emit(g, backbone.Features, x, "features", contract.Height, contract.Width);
        x = Pool(g, backbone.Pooling, backbone.PooledNormalization, x);
        string logits = Head(g, head, x, o.LogitsOutputName);
        g.Graph.Output.Add(Value(logits, Batch, classNames.Count));
        if (o.IncludeProbabilities)
        {
            g.Fresh(o.ProbabilitiesOutputName);
            g.Node("Softmax", new[] { logits }, new[] { o.ProbabilitiesOutputName }, Int("axis", 1));
            g.Graph.Output.Add(Value(o.ProbabilitiesOutputName, Batch, classNames.Count));
        }

        var metadata = new OnnxModelMetadata
        {
            ClassNames = classNames.ToArray(),
            InputName = o.InputName,
            Height = contract.Height,
            Width = contract.Width,
            LogitsOutput = o.LogitsOutputName,
            ProbabilitiesOutput = o.IncludeProbabilities ? o.ProbabilitiesOutputName : null,
            Decode = contract,
            Backbone = backbone.Name,
            Preprocessing = backbone.Preprocessing.Name,
            Opset = o.Opset,
        };
        var model = new ModelProto
        {
            // IR version 7 reads opsets up to 13 and 8 up to 17 (onnx/docs/Versioning.md).
            IrVersion = o.Opset <= 13 ? 7 : 8,
            ProducerName = "TransferLearning",
            ProducerVersion = typeof(OnnxModelExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = o.Description ?? $"{backbone.Name} with a {classNames.Count}-class head ({string.Join(", ", classNames)}); input {o.InputName}: float32 N x 3 x {contract.Height} x {contract.Width}, RGB 0..255.",
            Graph = g.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = o.Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxModelMetadata.Key, Value = metadata.ToJson() });
        WriteAtomically(path, model);
        return metadata;
    }

    /// <summary><c>(x[order] * Scale - Mean) / Std</c>, as <see cref="ImagePreprocessing.forward"/> computes it; steps that change nothing are left out.</summary>
    private static string Preprocess(OnnxGraphBuilder g, ImagePreprocessing p, string x)
    {
        if (p.ChannelOrder == ChannelOrder.Bgr)
            x = g.Node("Gather", new[] { x, g.Initializer("preprocessing.bgr_order", new long[] { 2, 1, 0 }, new long[] { 3 }) }, "preprocessing/bgr", Int("axis", 1));
        if (p.Scale != 1f) x = g.Node("Mul", new[] { x, g.Scalar("preprocessing.scale", p.Scale) }, "preprocessing/scaled");
        if (p.Mean.Any(m => m != 0f)) x = g.Node("Sub", new[] { x, g.Initializer("preprocessing.mean", p.Mean.ToArray(), new long[] { 1, 3, 1, 1 }) }, "preprocessing/centred");
        if (p.Std.Any(s => s != 1f)) x = g.Node("Div", new[] { x, g.Initializer("preprocessing.std", p.Std.ToArray(), new long[] { 1, 3, 1, 1 }) }, "preprocessing/normalised");
        return x;
    }

    /// <summary>Global pooling to N×C×1×1, then the backbone's <see cref="PretrainedBackbone.PooledNormalization"/> (if any), then Flatten.</summary>
    private static string Pool(OnnxGraphBuilder g, PoolingMode pooling, TorchSharp.torch.nn.Module<Tensor, Tensor>? normalization, string x)
    {
        string op = pooling switch
        {
            PoolingMode.GlobalAverage => "GlobalAveragePool",
            PoolingMode.GlobalMax => "GlobalMaxPool",
            _ => throw new OnnxExportException($"Pooling {pooling} makes the feature length depend on the input size; the exporter writes {PoolingMode.GlobalAverage} and {PoolingMode.GlobalMax}."),
        };
        string pooled = g.Node(op, new[] { x }, "pooled_map");
        if (normalization is not null) pooled = TorchModuleEmitter.Emit(g, normalization, pooled, "pooled_normalization", 1, 1);
        return g.Node("Flatten", new[] { pooled }, "features_vector", Int("axis", 1));
    }

    /// <summary>The head in inference mode: dropout is the identity, then <c>x Wᵀ + b</c>.</summary>
    private static string Head(OnnxGraphBuilder g, ClassifierHead head, string x, string output)
    {
        var parameters = head.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        if (!parameters.TryGetValue("linear.weight", out var weight) || !parameters.TryGetValue("linear.bias", out var bias))
            throw new OnnxExportException($"The head has parameters [{string.Join(", ", parameters.Keys)}]; expected linear.weight and linear.bias.");
        g.Fresh(output);
        return g.Node("Gemm", new[] { x, g.Initializer("head.linear.weight", weight), g.Initializer("head.linear.bias", bias) }, new[] { output }, Int("transB", 1))[0];
    }

    /// <summary>Writes next to <paramref name="path"/>, then renames over it (atomic on one file system): a reader never sees half a model.</summary>
    private static void WriteAtomically(string path, ModelProto model)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                using (var output = new Google.Protobuf.CodedOutputStream(file, leaveOpen: true)) model.WriteTo(output);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
