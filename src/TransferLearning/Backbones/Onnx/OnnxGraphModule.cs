using System.Runtime.InteropServices;
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
    private readonly string[][] _freeAfter;

    public OnnxGraphModule(string name, string inputName, string outputName, IReadOnlyList<(string ModuleName, OnnxNode Node)> nodes)
        : base(name)
    {
        InputName = inputName;
        OutputName = outputName;
        _nodes = nodes.Select(n => n.Node).ToArray();
        foreach (var (moduleName, node) in nodes) register_module(moduleName, node);
        // Values no later node reads are released right after their last reader, so that inference memory follows
        // the live values rather than the whole graph (autograd keeps what backward needs on its own).
        var lastRead = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _nodes.Length; i++) foreach (var v in _nodes[i].RuntimeInputs) lastRead[v] = i;
        _freeAfter = _nodes.Select((n, i) => n.RuntimeInputs.Distinct()
            .Where(v => lastRead[v] == i && v != inputName && v != outputName).ToArray()).ToArray();
    }

    /// <summary>The graph input the module reads.</summary>
    public string InputName { get; }

    /// <summary>The value the module returns.</summary>
    public string OutputName { get; }

    /// <summary>The imported nodes in graph order.</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    /// <summary>Whether <see cref="SetInputOffset"/> was called.</summary>
    public bool HasInputOffset { get; private set; }

    /// <summary>
    /// Adds <paramref name="offset"/> (1×C×H×W, kept as the buffer <c>input_offset</c>) to every input before the
    /// graph runs, bilinearly resized when the input's size differs: the per-pixel part of a mean image whose
    /// per-channel part lives in the backbone's <see cref="ImagePreprocessing"/>.
    /// </summary>
    public void SetInputOffset(Tensor offset)
    {
        register_buffer("input_offset", offset.detach().clone());
        HasInputOffset = true;
    }

    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        if (HasInputOffset)
        {
            var offset = named_buffers(false).First(b => b.name == "input_offset").buffer;
            if (input.dim() != 4 || input.shape[1] != offset.shape[1])
                throw new ArgumentException($"Expected an N x {offset.shape[1]} x H x W batch; got shape [{string.Join(", ", input.shape)}].", nameof(input));
            if (input.shape[2] != offset.shape[2] || input.shape[3] != offset.shape[3])
                offset = TorchSharp.torch.nn.functional.interpolate(offset, new[] { input.shape[2], input.shape[3] }, mode: TorchSharp.torch.InterpolationMode.Bilinear, align_corners: false);
            input = input + offset.to_type(input.dtype);
        }
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [InputName] = input };
        for (int i = 0; i < _nodes.Length; i++)
        {
            var node = _nodes[i];
            var inputs = new Tensor[node.RuntimeInputs.Length];
            for (int j = 0; j < inputs.Length; j++) inputs[j] = values[node.RuntimeInputs[j]];
            Tensor[] outputs;
            try
            {
                outputs = node.Run(inputs);
            }
            catch (ExternalException e)
            {
                // libtorch's message alone ("size of tensor a (3) must match ...") does not say where in the graph.
                throw new InvalidOperationException(
                    $"ONNX node '{node.NodeName}' ({node.OpType}) failed on input shapes {string.Join(" and ", inputs.Select(t => $"[{string.Join(", ", t.shape)}]"))} " +
                    $"for a batch of [{string.Join(", ", values[InputName].shape)}]. Graphs exported with fixed padding (such as the CNTK ResNet18) " +
                    $"only accept input sizes that keep every stage's size even, such as multiples of 32. {e.Message.Split('\n')[0]}", e);
            }
            for (int j = 0; j < outputs.Length && j < node.Outputs.Length; j++)
                if (node.Outputs[j].Length > 0) values[node.Outputs[j]] = outputs[j];
            foreach (var dead in _freeAfter[i])
                if (values.Remove(dead, out var tensor) && !outputs.Any(o => ReferenceEquals(o, tensor))) tensor.Dispose();
            if (values.ContainsKey(OutputName)) break;
        }
        var result = values[OutputName];
        if (ReferenceEquals(result, input)) result = input.alias();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Frees every parameter and buffer of this module and its children, then the modules (TorchSharp 0.107's
    /// <c>Module.Dispose</c> leaves children's tensors alive).
    /// </summary>
    /// <param name="disposing"><c>true</c> from <c>Dispose()</c>; <c>false</c> from the finalizer, which frees nothing managed.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing) ModuleTensors.DisposeTree(this);
        base.Dispose(disposing);
    }
}
