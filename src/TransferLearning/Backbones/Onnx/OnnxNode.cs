using TransferLearning.Backbones.Onnx.Proto;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones.Onnx;

/// <summary>
/// One imported ONNX node: a TorchSharp module that owns the node's trainable weights (parameters) and constants
/// (buffers) and maps the node's run-time inputs to its outputs.
/// </summary>
internal abstract class OnnxNode : Module
{
    protected OnnxNode(OnnxNodeContext context, IReadOnlyList<int> runtimeInputs)
        : base(context.DisplayName)
    {
        NodeName = context.DisplayName;
        OpType = context.OpType;
        RuntimeInputIndices = runtimeInputs.ToArray();
        RuntimeInputs = RuntimeInputIndices.Select(i => context.Node.Input[i]).ToArray();
        Outputs = context.Node.Output.ToArray();
        Source = context.Node;
        SourceOpset = context.Opset;
        DeclaredBatch = context.DeclaredBatch;
        // Small constant inputs (shapes, pads, split sizes, clip bounds) that no parameter or buffer keeps, for the exporter.
        SmallConstants = Enumerable.Range(0, context.InputCount)
            .Where(i => !RuntimeInputIndices.Contains(i) && context.Constant(i) is { } t && t.numel() <= MaxSmallConstant)
            .ToDictionary(i => i, i => OnnxConstantValue.From(context.Constant(i)!));
    }

    /// <summary>Largest constant input (in elements) kept in <see cref="SmallConstants"/>.</summary>
    private const long MaxSmallConstant = 64;

    /// <summary>The ONNX node this module was built from (attributes as in the source file).</summary>
    public NodeProto Source { get; }

    /// <summary>The source model's default-domain opset, which gives <see cref="Source"/>'s attributes their meaning.</summary>
    public int SourceOpset { get; }

    /// <summary>The graph input's fixed declared batch size, when it had one.</summary>
    public long? DeclaredBatch { get; }

    /// <summary>The values of constant inputs of up to 64 elements, by input index.</summary>
    public IReadOnlyDictionary<int, OnnxConstantValue> SmallConstants { get; }

    public string NodeName { get; }

    public string OpType { get; }

    /// <summary>Indices into the node's ONNX inputs of the values computed at run time (the others are constants the node holds).</summary>
    public int[] RuntimeInputIndices { get; }

    /// <summary>Names of the run-time values the node reads, in the order <see cref="Run"/> receives them.</summary>
    public string[] RuntimeInputs { get; }

    /// <summary>Names of the values the node produces.</summary>
    public string[] Outputs { get; }

    /// <summary>Computes the node. <paramref name="inputs"/> follows <see cref="RuntimeInputs"/>.</summary>
    public abstract Tensor[] Run(Tensor[] inputs);

    /// <summary>Looks up a buffer registered on this node (by name, so that <c>to(device)</c> moves are seen).</summary>
    protected Tensor Buffer(string name) => named_buffers(false).First(b => b.name == name).buffer;

    /// <summary>Looks up a parameter registered on this node.</summary>
    protected TorchSharp.Modules.Parameter Param(string name) => named_parameters(false).First(p => p.name == name).parameter;

    /// <summary>Indices of the inputs that are present and not constant.</summary>
    protected static int[] RuntimeIndices(OnnxNodeContext context, params int[] candidates) =>
        candidates.Where(i => context.HasInput(i) && context.Constant(i) is null).ToArray();
}
