using System.Text;
using TransferLearning.Backbones.Onnx.Ops;
using TransferLearning.Backbones.Onnx.Proto;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones.Onnx;

/// <summary>
/// Turns an ONNX <see cref="ModelProto"/> into an <see cref="OnnxGraphModule"/>: picks the output, keeps the nodes it
/// depends on, builds one module per node and splits them into layer groups in graph order.
/// </summary>
internal static class OnnxGraphImporter
{
    /// <summary>The ops the importer implements.</summary>
    public static readonly IReadOnlyList<string> SupportedOps = new[]
    {
        "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Constant", "ConstantOfShape", "Conv", "Div",
        "Dropout", "Equal", "Erf", "Expand", "Flatten", "Gather", "Gemm", "GlobalAveragePool", "HardSigmoid", "HardSwish",
        "Identity", "LayerNormalization", "LeakyRelu", "LogSoftmax", "MatMul", "MaxPool", "Mul", "Pad", "Pow", "ReduceMax",
        "ReduceMean", "ReduceMin", "ReduceSum", "Relu", "Reshape", "Shape", "Sigmoid", "Slice", "Softmax", "Split", "Sqrt",
        "Squeeze", "Sub", "Transpose", "Unsqueeze", "Where",
    };

    /// <summary>Ops of a classifier tail that the default feature output strips (walking back from the graph output).</summary>
    private static readonly HashSet<string> TailOps = new(StringComparer.Ordinal)
    {
        "Gemm", "MatMul", "Flatten", "Reshape", "Squeeze", "Softmax", "LogSoftmax", "Dropout", "Identity",
        "GlobalAveragePool", "GlobalMaxPool",
    };

    public static OnnxGraphModule Import(ModelProto model, string source, string? outputName, string moduleName) =>
        Import(model, source, outputName, moduleName, wholeGraph: false);

    /// <summary>
    /// Imports the nodes <paramref name="outputName"/> depends on. When it is <c>null</c>: the graph's own (first)
    /// output with <paramref name="wholeGraph"/>, else the feature map before the classifier tail.
    /// </summary>
    public static OnnxGraphModule Import(ModelProto model, string source, string? outputName, string moduleName, bool wholeGraph)
    {
        int opset = OnnxModelFile.DefaultOpset(model, source);
        var graph = model.Graph;
        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var init in graph.Initializer) initializers[init.Name] = init;
        var inputs = graph.Input.Where(i => !initializers.ContainsKey(i.Name)).ToArray();
        if (inputs.Length != 1)
            throw new OnnxImportException($"{source}: expected exactly one graph input (the image batch); found {inputs.Length}: [{string.Join(", ", inputs.Select(i => i.Name))}].");
        var input = inputs[0];
        long? declaredBatch = null;
        var inputDims = input.Type?.TensorType?.Shape?.Dim;
        if (inputDims is { Count: > 0 } && inputDims[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue)
            declaredBatch = inputDims[0].DimValue;
        var elemType = input.Type?.TensorType?.ElemType ?? 0;
        if (elemType is not (0 or (int)TensorProto.Types.DataType.Float))
            throw new OnnxImportException($"{source}: graph input '{input.Name}' has element type {(TensorProto.Types.DataType)elemType}; only FLOAT inputs are supported.");

        var names = graph.Node.Select((n, i) => n.Name.Length > 0 ? n.Name : $"{n.OpType}#{i}").ToArray();
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Node.Count; i++)
            foreach (var o in graph.Node[i].Output)
                if (o.Length > 0) producer[o] = i;

        string output = outputName is null && wholeGraph
            ? graph.Output.FirstOrDefault()?.Name ?? throw new OnnxImportException($"{source}: the graph declares no output.")
            : ResolveOutput(graph, source, outputName, names, producer, initializers, input.Name);

        // The nodes the output depends on, in graph order.
        var needed = new SortedSet<int>();
        var stack = new Stack<string>(new[] { output });
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (stack.Count > 0)
        {
            var value = stack.Pop();
            if (!seen.Add(value) || !producer.TryGetValue(value, out int index)) continue;
            needed.Add(index);
            foreach (var i in graph.Node[index].Input) if (i.Length > 0) stack.Push(i);
        }
        foreach (var i in needed) CheckInputsDefined(graph.Node[i], names[i], producer, initializers, input.Name);

        // Constants: initializers, Constant outputs and folded nodes, converted once. Weights: the floating-point
        // initializers and what is folded from them (an Identity of an initializer, as PyTorch's exporter writes for
        // deduplicated biases), which become trainable parameters of the nodes that read them.
        var constants = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var weights = new HashSet<string>(initializers.Values
            .Where(i => i.DataType is (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Double).Select(i => i.Name), StringComparer.Ordinal);
        Tensor? Constant(string name)
        {
            if (constants.TryGetValue(name, out var t)) return t;
            if (!initializers.TryGetValue(name, out var proto)) return null;
            return constants[name] = OnnxTensors.ToTensor(proto, $"{source}: initializer");
        }

        var built = new List<(string, OnnxNode)>();
        var moduleNames = new HashSet<string>(StringComparer.Ordinal);
        var trainableOwner = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var index in needed)
            {
                var node = graph.Node[index];
                var context = new OnnxNodeContext(node, names[index], opset, Constant, declaredBatch, weights.Contains);
                if (node.Domain is not ("" or "ai.onnx"))
                    throw context.Error(null, $"operator domain '{node.Domain}' is not supported; only the default ai.onnx domain.");
                if (node.OpType == "Constant")
                {
                    constants[node.Output[0]] = ConstantValue(context, source);
                    continue;
                }
                if (TryFold(context, Constant, constants, weights)) continue;
                var module = Create(context);
                foreach (var i in Enumerable.Range(0, node.Input.Count).Except(module.RuntimeInputIndices))
                {
                    string inputName = node.Input[i];
                    // Weights: initializers and values folded from them (each Identity of an initializer is its own weight).
                    if (inputName.Length == 0 || !weights.Contains(inputName) || !IsTrainableRole(node.OpType, i)) continue;
                    if (trainableOwner.TryGetValue(inputName, out var owner))
                        throw context.Error(inputName, $"initializer '{inputName}' is also a weight of node '{owner}'; shared (tied) weights are not supported.");
                    trainableOwner[inputName] = names[index];
                }
                built.Add((UniqueModuleName(names[index], moduleNames), module));
            }
        }
        finally
        {
            foreach (var c in constants.Values) c.Dispose();
        }
        if (!built.Any(b => b.Item2.Outputs.Contains(output)))
            throw new OnnxImportException($"{source}: output '{output}' is not computed by any supported node (it is a constant or the input itself).");

        return new OnnxGraphModule(moduleName, input.Name, output, built);
    }

    private static bool IsTrainableRole(string opType, int inputIndex) => opType switch
    {
        "Conv" => inputIndex is 1 or 2,
        "BatchNormalization" => inputIndex is 1 or 2,
        "LayerNormalization" => inputIndex is 1 or 2,
        "Gemm" or "MatMul" or "Add" or "Sub" or "Mul" or "Div" or "Concat" => true,
        "Expand" or "Gather" or "Slice" => inputIndex == 0,
        "Where" => inputIndex is 1 or 2,
        _ => false,
    };

    /// <summary>
    /// Evaluates a node whose inputs are all constants once, at import (shape arithmetic on static shapes, an Identity
    /// of an initializer), and records its outputs as constants; they are weights when a weight went in. Returns
    /// <c>false</c> when the node reads a run-time value (or has no inputs) and must be built as a module.
    /// </summary>
    private static bool TryFold(OnnxNodeContext context, Func<string, Tensor?> constant, Dictionary<string, Tensor> constants, HashSet<string> weights)
    {
        var node = context.Node;
        var present = node.Input.Where(i => i.Length > 0).ToArray();
        if (present.Length == 0 || present.Any(i => constant(i) is null)) return false;
        bool fromWeight = present.Any(weights.Contains);
        Tensor[] outputs;
        if (node.OpType == "Identity")
        {
            context.AllowOnly();
            outputs = new[] { constant(node.Input[0])!.clone() };
        }
        else
        {
            // Built as if every input were computed, then run on the constants (in inference mode). An op that needs
            // some input to be constant is built normally instead, and reports its own error.
            OnnxNode module;
            try
            {
                module = Create(context.AllRuntime());
            }
            catch (OnnxImportException)
            {
                return false;
            }
            using var disposeModule = module;
            module.eval();
            using var noGrad = no_grad();
            var values = module.RuntimeInputIndices.Select(i => constant(node.Input[i])!).ToArray();
            using (var scope = NewDisposeScope())
                outputs = module.Run(values).Select(t => t.detach().clone().MoveToOuterDisposeScope()).ToArray();
            ModuleTensors.DisposeTree(module);
        }
        for (int i = 0; i < outputs.Length && i < node.Output.Count; i++)
        {
            string name = node.Output[i];
            if (name.Length == 0) { outputs[i].Dispose(); continue; }
            if (constants.Remove(name, out var old)) old.Dispose();
            constants[name] = outputs[i];
            if (fromWeight && outputs[i].is_floating_point()) weights.Add(name);
        }
        return true;
    }

    private static OnnxNode Create(OnnxNodeContext context) => context.OpType switch
    {
        "Conv" => new OnnxConv(context),
        "BatchNormalization" => new OnnxBatchNormalization(context),
        "MaxPool" or "AveragePool" => new OnnxPool(context),
        "Relu" or "LeakyRelu" or "Sigmoid" or "Clip" or "Identity" or "Dropout" or "GlobalAveragePool" or "HardSigmoid" or "HardSwish"
            or "Erf" or "Sqrt" => new OnnxActivation(context),
        "Add" or "Sub" or "Mul" or "Div" or "Pow" or "Equal" => new OnnxBinary(context),
        "Concat" => new OnnxConcat(context),
        "Split" => new OnnxSplit(context),
        "Flatten" or "Reshape" or "Unsqueeze" or "Squeeze" => new OnnxReshape(context),
        "Shape" or "ConstantOfShape" => new OnnxShape(context),
        "Gather" => new OnnxGather(context),
        "Slice" => new OnnxSlice(context),
        "Transpose" => new OnnxTranspose(context),
        "Expand" => new OnnxExpand(context),
        "Cast" => new OnnxCast(context),
        "Where" => new OnnxWhere(context),
        "LayerNormalization" => new OnnxLayerNormalization(context),
        "ReduceMean" or "ReduceSum" or "ReduceMax" or "ReduceMin" => new OnnxReduce(context),
        "Softmax" or "LogSoftmax" => new OnnxSoftmax(context),
        "Gemm" or "MatMul" => new OnnxGemm(context),
        "Pad" => new OnnxPad(context),
        _ => throw context.Error(null, $"op '{context.OpType}' is not supported. Supported ops: {string.Join(", ", SupportedOps)}."),
    };

    private static Tensor ConstantValue(OnnxNodeContext context, string source)
    {
        context.AllowOnly("value", "value_float", "value_floats", "value_int", "value_ints");
        if (context.TensorAttribute("value") is { } proto) return OnnxTensors.ToTensor(proto, $"{source}: Constant node '{context.DisplayName}' value");
        if (context.Has("value_float")) return tensor(context.Float("value_float", 0));
        if (context.Floats("value_floats") is { } floats) return tensor(floats);
        if (context.Has("value_int")) return tensor(context.Int("value_int", 0));
        if (context.Ints("value_ints") is { } ints) return tensor(ints);
        throw context.Error("value", "a Constant needs value, value_float(s) or value_int(s).");
    }

    private static void CheckInputsDefined(NodeProto node, string name, Dictionary<string, int> producer, Dictionary<string, TensorProto> initializers, string inputName)
    {
        foreach (var i in node.Input)
            if (i.Length > 0 && i != inputName && !producer.ContainsKey(i) && !initializers.ContainsKey(i))
                throw new OnnxImportException($"ONNX node '{name}' (op {node.OpType}): input '{i}' is neither the graph input, an initializer nor a node output.", node.OpType, name, i);
    }

    private static string ResolveOutput(GraphProto graph, string source, string? requested, string[] names, Dictionary<string, int> producer,
        Dictionary<string, TensorProto> initializers, string inputName)
    {
        if (requested is not null)
        {
            if (producer.ContainsKey(requested)) return requested;
            int byName = Array.IndexOf(names, requested);
            if (byName >= 0)
            {
                var outputs = graph.Node[byName].Output.Where(o => o.Length > 0).ToArray();
                if (outputs.Length != 1) throw new OnnxImportException($"{source}: node '{requested}' has {outputs.Length} outputs; name one of them: [{string.Join(", ", outputs)}].");
                return outputs[0];
            }
            throw new OnnxImportException($"{source}: '{requested}' is neither a node name nor a value computed by a node. Graph outputs: [{string.Join(", ", graph.Output.Select(o => o.Name))}].", attributeName: "OutputName");
        }
        if (graph.Output.Count == 0) throw new OnnxImportException($"{source}: the graph declares no output.");
        string value = graph.Output[0].Name;
        var shapes = graph.ValueInfo.Concat(graph.Output).ToDictionary(v => v.Name, v => v.Type?.TensorType?.Shape, StringComparer.Ordinal);
        if (BeforeGlobalPooling(graph, value, producer, initializers, shapes) is { } features) return features;
        // Walk back through the classifier tail (Flatten/Gemm/Softmax/...) and a final global pooling, to the feature map.
        while (producer.TryGetValue(value, out int index))
        {
            var node = graph.Node[index];
            bool tail = TailOps.Contains(node.OpType)
                || (node.OpType is "AveragePool" or "MaxPool" && IsOneByOne(shapes.GetValueOrDefault(node.Output[0])))
                || (node.OpType is "Add" && node.Input.Count == 2 && initializers.ContainsKey(node.Input[1])
                    && producer.TryGetValue(node.Input[0], out int p) && graph.Node[p].OpType == "MatMul");
            if (!tail) break;
            var next = node.Input.FirstOrDefault(i => i.Length > 0 && !initializers.ContainsKey(i));
            if (next is null || next == inputName)
                throw new OnnxImportException($"{source}: no feature map found before the classifier tail; name the feature output with OutputName.");
            value = next;
        }
        return value;
    }

    /// <summary>
    /// The feature map of a classifier whose head starts with a global pooling (torchvision's models: MobileNet's
    /// Linear–HardSwish–Linear, ShuffleNet's ReduceMean, ConvNeXt's channels-last LayerNorm before Flatten): walking
    /// back from the output along a chain of nodes with one computed input each and no convolution, the input of the
    /// first global pooling — GlobalAveragePool, GlobalMaxPool, ReduceMean/ReduceMax over the two spatial axes, or an
    /// AveragePool/MaxPool whose declared output is N×C×1×1. <c>null</c> when there is no such chain.
    /// </summary>
    private static string? BeforeGlobalPooling(GraphProto graph, string output, Dictionary<string, int> producer,
        Dictionary<string, TensorProto> initializers, Dictionary<string, TensorShapeProto?> shapes)
    {
        bool IsConstant(string name, int depth) =>
            initializers.ContainsKey(name)
            || (producer.TryGetValue(name, out int p) && depth < 8
                && (graph.Node[p].OpType == "Constant" || (graph.Node[p].OpType == "Identity" && IsConstant(graph.Node[p].Input[0], depth + 1))));
        string value = output;
        for (int steps = 0; steps < 16 && producer.TryGetValue(value, out int index); steps++)
        {
            var node = graph.Node[index];
            if (node.OpType is "Conv" or "ConvTranspose") return null;
            var computed = node.Input.Where(i => i.Length > 0 && !IsConstant(i, 0)).Distinct().ToArray();
            if (computed.Length != 1) return null;
            if (IsGlobalPooling(node, shapes)) return computed[0];
            value = computed[0];
        }
        return null;
    }

    private static bool IsGlobalPooling(NodeProto node, Dictionary<string, TensorShapeProto?> shapes)
    {
        switch (node.OpType)
        {
            case "GlobalAveragePool" or "GlobalMaxPool":
                return true;
            case "AveragePool" or "MaxPool":
                return IsOneByOne(shapes.GetValueOrDefault(node.Output[0]));
            case "ReduceMean" or "ReduceMax":
                var axes = node.Attribute.FirstOrDefault(a => a.Name == "axes")?.Ints.ToArray();
                return axes is { Length: 2 } && (axes.Order().SequenceEqual(new long[] { 2, 3 }) || axes.Order().SequenceEqual(new long[] { -2, -1 }));
            default:
                return false;
        }
    }

    private static bool IsOneByOne(TensorShapeProto? shape) =>
        shape is { Dim.Count: 4 } && shape.Dim.Skip(2).All(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue == 1);

    private static string UniqueModuleName(string nodeName, HashSet<string> used)
    {
        var clean = new StringBuilder();
        foreach (char c in nodeName) clean.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        string name = clean.Length > 0 ? clean.ToString() : "node";
        string candidate = name;
        for (int i = 1; !used.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }
}
