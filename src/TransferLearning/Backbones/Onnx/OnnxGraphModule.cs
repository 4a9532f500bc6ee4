using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones.Onnx;

/// <summary>
/// An imported ONNX graph as a trainable TorchSharp module: runs its nodes in graph order from one input value to
/// one output value. Each node is a child module named after the ONNX node, so state-dict keys read
/// <c>Convolution249.weight</c>, <c>BatchNormalization251.bn.running_mean</c>.
/// </summary>
internal sealed class OnnxGraphModule : Module<Tensor, Tensor>
{
    private readonly OnnxNode[] _nodes;

    public OnnxGraphModule(string name, string inputName, string outputName, IReadOnlyList<(string ModuleName, OnnxNode Node)> nodes)
        : base(name)
    {
        InputName = inputName;
        OutputName = outputName;
        _nodes = nodes.Select(n => n.Node).ToArray();
        foreach (var (moduleName, node) in nodes) register_module(moduleName, node);
    }

    /// <summary>The graph input the module reads.</summary>
    public string InputName { get; }

    /// <summary>The value the module returns.</summary>
    public string OutputName { get; }

    /// <summary>The imported nodes in graph order.</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [InputName] = input };
        for (int i = 0; i < _nodes.Length; i++)
        {
            var node = _nodes[i];
            var inputs = new Tensor[node.RuntimeInputs.Length];
            for (int j = 0; j < inputs.Length; j++) inputs[j] = values[node.RuntimeInputs[j]];
            var outputs = node.Run(inputs);
            for (int j = 0; j < outputs.Length && j < node.Outputs.Length; j++)
                if (node.Outputs[j].Length > 0) values[node.Outputs[j]] = outputs[j];
            if (values.ContainsKey(OutputName)) break;
        }
        var result = values[OutputName];
        if (ReferenceEquals(result, input)) result = input.alias();
        return result.MoveToOuterDisposeScope();
    }
}
