using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX ReduceMean, ReduceSum, ReduceMax and ReduceMin: axes as an attribute (ReduceSum before opset 13, the others
/// before 18) or as an input (constant or computed), <c>keepdims</c>, and <c>noop_with_empty_axes</c>.
/// </summary>
internal sealed class OnnxReduce : OnnxValueNode
{
    private readonly long[]? _axes;
    private readonly bool _keepDims;
    private readonly bool _noopWithEmptyAxes;
    private readonly bool _axesInput;

    public OnnxReduce(OnnxNodeContext context) : base(context, _ => false)
    {
        int inputFrom = context.OpType == "ReduceSum" ? 13 : 18;
        _axesInput = context.Opset >= inputFrom;
        if (_axesInput)
        {
            context.AllowOnly("keepdims", "noop_with_empty_axes");
            _noopWithEmptyAxes = context.Int("noop_with_empty_axes", 0) != 0;
        }
        else
        {
            context.AllowOnly("axes", "keepdims");
            _axes = context.Ints("axes");
        }
        _keepDims = context.Int("keepdims", 1) != 0;
    }

    protected override Tensor[] Compute(Tensor?[] inputs)
    {
        var x = inputs[0]!;
        long[]? axes = _axesInput ? (Has(1) ? Longs(inputs[1]!) : null) : _axes;
        if (axes is { Length: 0 }) axes = null;
        if (axes is null && _noopWithEmptyAxes) return new[] { x.alias() };
        long[] dims = axes is null ? Enumerable.Range(0, (int)x.dim()).Select(i => (long)i).ToArray() : axes.Select(a => Axis(a, x.dim())).Distinct().ToArray();
        Tensor y = OpType switch
        {
            "ReduceMean" => x.mean(dims, _keepDims),
            "ReduceSum" => x.sum(dims, _keepDims),
            "ReduceMax" => x.amax(dims, _keepDims),
            "ReduceMin" => x.amin(dims, _keepDims),
            _ => throw Failure("internal: not a reduction."),
        };
        return new[] { y };
    }
}
