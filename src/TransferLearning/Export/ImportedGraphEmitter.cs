using TorchSharp.Modules;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Backbones.Onnx.Proto;
using static TorchSharp.torch;
using static TransferLearning.Export.OnnxGraphBuilder;
using AttributeType = TransferLearning.Backbones.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace TransferLearning.Export;

/// <summary>
/// Writes a graph imported from ONNX (<see cref="OnnxGraphModule"/>) back as ONNX nodes for the target opset, with the
/// current (fine-tuned) parameters and buffers in place of the source file's initializers. The ops of CNN backbones
/// are written in their canonical form for opsets 13–17 whatever the source opset was: Clip bounds, Pad pads, Split
/// sizes and Unsqueeze/Squeeze axes become inputs, BatchNormalization loses <c>spatial</c>, Dropout becomes Identity
/// (inference), HardSwish becomes x·HardSigmoid(x) below opset 14, and a Reshape that kept the run-time batch keeps it
/// (0 in the target shape). Shape arithmetic, layout and normalisation ops (Shape, Gather, Slice, Transpose, Expand,
/// Cast, Where, LayerNormalization, Reduce*, Softmax) are written as the source had them, when their form is the
/// same in the source and the target opset; otherwise the export is refused.
/// </summary>
internal static class ImportedGraphEmitter
{
    public static string Emit(OnnxGraphBuilder g, OnnxGraphModule graph, string input, string path, int height, int width)
    {
        if (graph.HasInputOffset) input = InputOffset(g, graph, input, path, height, width);
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { [graph.InputName] = input };
        foreach (var node in graph.Nodes)
        {
            var outputs = node.Outputs.Select(o => o.Length == 0 ? "" : values[o] = g.Fresh($"{path}/{o}")).ToArray();
            string Runtime(int index) => values.TryGetValue(node.Source.Input[index], out var v) ? v
                : throw new OnnxExportException($"{Describe(node)}: input '{node.Source.Input[index]}' was not computed before the node (internal error).");
            EmitNode(g, node, Runtime, outputs, path);
            if (values.ContainsKey(graph.OutputName)) break;
        }
        return values[graph.OutputName];
    }

    /// <summary>The per-pixel part of a mean image, resized to the export size as <see cref="OnnxGraphModule"/> resizes it at run time.</summary>
    private static string InputOffset(OnnxGraphBuilder g, OnnxGraphModule graph, string input, string path, int height, int width)
    {
        using var scope = NewDisposeScope();
        var offset = graph.named_buffers(false).First(b => b.name == "input_offset").buffer.detach();
        if (offset.shape[2] != height || offset.shape[3] != width)
            offset = TorchSharp.torch.nn.functional.interpolate(offset, new long[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false);
        return g.Node("Add", new[] { input, g.Initializer($"{path}.input_offset", offset) }, $"{path}/input_offset");
    }

    private static void EmitNode(OnnxGraphBuilder g, OnnxNode node, Func<int, string> runtime, string[] outputs, string path)
    {
        var source = node.Source;
        string prefix = $"{path}.{node.NodeName}";
        bool IsRuntime(int index) => node.RuntimeInputIndices.Contains(index);
        string ParamOrRuntime(int index, string name) => IsRuntime(index) ? runtime(index) : g.Initializer($"{prefix}.{name}", Parameter(node, name));
        string ConstantOrRuntime(int index, string name) => !HasInput(source, index) ? "" : IsRuntime(index) ? runtime(index) : g.Initializer($"{prefix}.{name}", ParameterOrBuffer(node, name));
        switch (node.OpType)
        {
            case "Conv":
            {
                var inputs = new List<string> { runtime(0), g.Initializer($"{prefix}.weight", Parameter(node, "weight")) };
                if (HasInput(source, 2)) inputs.Add(g.Initializer($"{prefix}.bias", Parameter(node, "bias")));
                g.Node("Conv", inputs, outputs, Copy(source, ("auto_pad", AttributeType.String), ("dilations", AttributeType.Ints),
                    ("group", AttributeType.Int), ("kernel_shape", AttributeType.Ints), ("pads", AttributeType.Ints), ("strides", AttributeType.Ints)));
                break;
            }
            case "BatchNormalization":
            {
                var bn = node.named_children().Select(c => c.module).OfType<BatchNorm2d>().Single();
                g.Node("BatchNormalization", new[]
                {
                    runtime(0), g.Initializer($"{prefix}.scale", bn.weight!), g.Initializer($"{prefix}.B", bn.bias!),
                    g.Initializer($"{prefix}.mean", bn.running_mean!), g.Initializer($"{prefix}.var", bn.running_var!),
                }, outputs.Take(1).ToArray(), Float("epsilon", (float)bn.eps));
                break;
            }
            case "MaxPool":
                g.Node("MaxPool", new[] { runtime(0) }, outputs.Take(1).ToArray(), Copy(source, ("auto_pad", AttributeType.String), ("ceil_mode", AttributeType.Int),
                    ("dilations", AttributeType.Ints), ("kernel_shape", AttributeType.Ints), ("pads", AttributeType.Ints), ("storage_order", AttributeType.Int), ("strides", AttributeType.Ints)));
                break;
            case "AveragePool":
                // Dilations (opset 19) are all 1 here: the importer refuses others.
                g.Node("AveragePool", new[] { runtime(0) }, outputs, Copy(source, ("auto_pad", AttributeType.String), ("ceil_mode", AttributeType.Int),
                    ("count_include_pad", AttributeType.Int), ("kernel_shape", AttributeType.Ints), ("pads", AttributeType.Ints), ("strides", AttributeType.Ints)));
                break;
            case "Relu" or "Sigmoid" or "Identity" or "GlobalAveragePool":
                g.Node(node.OpType, new[] { runtime(0) }, outputs);
                break;
            case "Dropout":
                g.Node("Identity", new[] { runtime(0) }, outputs.Take(1).ToArray());
                break;
            case "LeakyRelu":
                g.Node("LeakyRelu", new[] { runtime(0) }, outputs, Copy(source, ("alpha", AttributeType.Float)));
                break;
            case "Clip":
            {
                float? min, max;
                if (node.SourceOpset < 11) (min, max) = (FloatAttribute(source, "min"), FloatAttribute(source, "max"));
                else (min, max) = (SmallScalar(node, 1), SmallScalar(node, 2));
                var inputs = new List<string> { runtime(0), min is { } lo ? g.Scalar($"{prefix}.min", lo) : "" };
                if (max is { } hi) inputs.Add(g.Scalar($"{prefix}.max", hi));
                g.Node("Clip", inputs, outputs);
                break;
            }
            case "Add" or "Sub" or "Mul" or "Div" or "Pow" or "Equal":
                g.Node(node.OpType, new[] { ConstantOrRuntime(0, "a"), ConstantOrRuntime(1, "b") }, outputs);
                break;
            case "Concat":
                g.Node("Concat", Enumerable.Range(0, source.Input.Count).Select(i => ConstantOrRuntime(i, $"constant{i}")), outputs, Copy(source, ("axis", AttributeType.Int)));
                break;
            case "Erf" or "Sqrt":
                g.Node(node.OpType, new[] { runtime(0) }, outputs);
                break;
            case "HardSigmoid":
                g.Node("HardSigmoid", new[] { runtime(0) }, outputs, Copy(source, ("alpha", AttributeType.Float), ("beta", AttributeType.Float)));
                break;
            case "HardSwish":
                if (g.Opset >= 14) g.Node("HardSwish", new[] { runtime(0) }, outputs);
                else
                {
                    // HardSwish arrived in opset 14: x · HardSigmoid(x) with alpha 1/6 and beta 1/2, its definition.
                    string gate = g.Node("HardSigmoid", new[] { runtime(0) }, $"{path}/{node.NodeName}/gate", Float("alpha", 1f / 6), Float("beta", 0.5f));
                    g.Node("Mul", new[] { runtime(0), gate }, outputs);
                }
                break;
            case "Unsqueeze" or "Squeeze":
            {
                // Axes are an input in every target opset (13+); files before 13 had an attribute.
                var inputs = new List<string> { runtime(0) };
                if (IsRuntime(1)) inputs.Add(runtime(1));
                else if ((node.SourceOpset < 13 ? IntsAttribute(source, "axes") : node.SmallConstants.TryGetValue(1, out var a) ? a.Longs : null) is { } axes)
                    inputs.Add(g.Initializer($"{prefix}.axes", axes, new[] { (long)axes.Length }));
                else if (HasInput(source, 1) || node.OpType == "Unsqueeze")
                    throw new OnnxExportException($"{Describe(node)}: its axes are not a small int64 constant.");
                g.Node(node.OpType, inputs, outputs);
                break;
            }
            case "Shape" or "ConstantOfShape" or "Gather" or "Slice" or "Transpose" or "Expand" or "Cast" or "Where" or "LayerNormalization"
                or "ReduceMean" or "ReduceSum" or "ReduceMax" or "ReduceMin" or "Softmax" or "LogSoftmax":
                EmitAsIs(g, node, ConstantOrRuntime, outputs);
                break;
            case "Split":
            {
                long[]? sizes = node.SourceOpset < 13 ? IntsAttribute(source, "split") : node.SmallConstants.TryGetValue(1, out var c) ? c.Longs : null;
                if (sizes is null && HasInput(source, 1) && node.SourceOpset >= 13)
                    throw new OnnxExportException($"{Describe(node)}: its split sizes have more than 64 values; the exporter keeps no such constant.");
                var inputs = new List<string> { runtime(0) };
                if (sizes is not null) inputs.Add(g.Initializer($"{prefix}.split", sizes, new[] { (long)sizes.Length }));
                g.Node("Split", inputs, outputs, Copy(source, ("axis", AttributeType.Int)));
                break;
            }
            case "Flatten":
                g.Node("Flatten", new[] { runtime(0) }, outputs, Copy(source, ("axis", AttributeType.Int)));
                break;
            case "Reshape" when IsRuntime(1):
                g.Node("Reshape", new[] { runtime(0), runtime(1) }, outputs);
                break;
            case "Reshape":
            {
                var shape = (node.SmallConstants.TryGetValue(1, out var c) ? c.Longs : null)?.ToArray()
                    ?? throw new OnnxExportException($"{Describe(node)}: its target shape is not a small int64 constant.");
                // As at import: a first dimension equal to the fixed declared batch keeps the run-time batch.
                if (shape.Length > 0 && node.DeclaredBatch is long batch && shape[0] == batch) shape[0] = 0;
                g.Node("Reshape", new[] { runtime(0), g.Initializer($"{prefix}.shape", shape, new[] { (long)shape.Length }) }, outputs);
                break;
            }
            case "Gemm":
            {
                var inputs = new List<string> { ParamOrRuntime(0, "A"), ParamOrRuntime(1, "B") };
                if (HasInput(source, 2)) inputs.Add(ParamOrRuntime(2, "C"));
                g.Node("Gemm", inputs, outputs, Copy(source, ("alpha", AttributeType.Float), ("beta", AttributeType.Float), ("transA", AttributeType.Int), ("transB", AttributeType.Int)));
                break;
            }
            case "MatMul":
                g.Node("MatMul", new[] { ParamOrRuntime(0, "A"), ParamOrRuntime(1, "B") }, outputs);
                break;
            case "Pad":
            {
                long[] pads;
                float value;
                if (node.SourceOpset < 11)
                {
                    pads = IntsAttribute(source, "pads")!;
                    value = FloatAttribute(source, "value") ?? 0f;
                }
                else
                {
                    pads = (node.SmallConstants.TryGetValue(1, out var p) ? p.Longs : null)
                        ?? throw new OnnxExportException($"{Describe(node)}: its pads are not a small int64 constant.");
                    value = SmallScalar(node, 2) ?? 0f;
                }
                g.Node("Pad", new[] { runtime(0), g.Initializer($"{prefix}.pads", pads, new[] { (long)pads.Length }), g.Scalar($"{prefix}.value", value) },
                    outputs, Copy(source, ("mode", AttributeType.String)));
                break;
            }
            default:
                throw new OnnxExportException($"{Describe(node)}: the exporter cannot write op {node.OpType}.");
        }
    }

    /// <summary>
    /// Writes an op whose inputs are held as <c>input{i}</c> with the source's attributes, when its form is the same in
    /// the source and the target opset (the versions listed are those that changed an attribute into an input, the
    /// semantics, or introduced the op).
    /// </summary>
    private static void EmitAsIs(OnnxGraphBuilder g, OnnxNode node, Func<int, string, string> input, string[] outputs)
    {
        int[] changes = node.OpType switch
        {
            "Slice" => new[] { 10 },
            "Shape" => node.Source.Attribute.Count > 0 ? new[] { 15 } : Array.Empty<int>(),
            "ReduceMean" or "ReduceMax" or "ReduceMin" => new[] { 18 },
            "ReduceSum" => new[] { 13 },
            "Softmax" or "LogSoftmax" => new[] { 13 },
            "LayerNormalization" => new[] { 17 },
            _ => Array.Empty<int>(),
        };
        int low = Math.Min(node.SourceOpset, g.Opset), high = Math.Max(node.SourceOpset, g.Opset);
        if (changes.Any(v => low < v && v <= high) || (node.OpType == "LayerNormalization" && g.Opset < 17))
            throw new OnnxExportException($"{Describe(node)}: the op changed form between the source's opset {node.SourceOpset} and the target opset {g.Opset}; export to opset {node.SourceOpset} (if in range) instead.");
        var inputs = Enumerable.Range(0, node.Source.Input.Count).Select(i => input(i, $"input{i}")).ToArray();
        int used = inputs.Length;
        while (used > 0 && inputs[used - 1].Length == 0) used--;
        g.Node(node.OpType, inputs.Take(used), outputs, node.Source.Attribute.Select(a => a.Clone()).ToArray());
    }

    private static Tensor ParameterOrBuffer(OnnxNode node, string name) =>
        (Tensor?)node.named_parameters(false).FirstOrDefault(p => p.name == name).parameter
        ?? node.named_buffers(false).FirstOrDefault(b => b.name == name).buffer
        ?? throw new OnnxExportException($"{Describe(node)} has no parameter or buffer '{name}' (internal error).");

    private static string Describe(OnnxNode node) => $"Imported ONNX node '{node.NodeName}' (op {node.OpType})";

    private static bool HasInput(NodeProto node, int index) => index < node.Input.Count && node.Input[index].Length > 0;

    private static Tensor Parameter(OnnxNode node, string name) =>
        node.named_parameters(false).FirstOrDefault(p => p.name == name).parameter
        ?? throw new OnnxExportException($"{Describe(node)} has no parameter '{name}' (internal error).");

    private static float? SmallScalar(OnnxNode node, int index)
    {
        if (!node.SmallConstants.TryGetValue(index, out var c)) return null;
        return c.Floats is { Length: 1 } f ? f[0] : c.Longs is { Length: 1 } l ? l[0] : null;
    }

    private static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    private static float? FloatAttribute(NodeProto node, string name) => Find(node, name)?.F;

    private static long[]? IntsAttribute(NodeProto node, string name) => Find(node, name)?.Ints.ToArray();

    /// <summary>Copies the named attributes that the source node has, typed explicitly (old files may leave the type unset).</summary>
    private static AttributeProto[] Copy(NodeProto node, params (string Name, AttributeType Type)[] attributes)
    {
        var copies = new List<AttributeProto>();
        foreach (var (name, type) in attributes)
        {
            if (Find(node, name) is not { } a) continue;
            copies.Add(type switch
            {
                AttributeType.Int => Int(name, a.I),
                AttributeType.Float => Float(name, a.F),
                AttributeType.String => String(name, a.S.ToStringUtf8()),
                AttributeType.Ints => Ints(name, a.Ints),
                _ => throw new ArgumentOutOfRangeException(nameof(attributes), type, "internal: unexpected attribute type."),
            });
        }
        return copies.ToArray();
    }
}
