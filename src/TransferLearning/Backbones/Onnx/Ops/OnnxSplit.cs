using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Split along <c>axis</c>: sizes from the <c>split</c> attribute (before opset 13) or constant input (13+),
/// else equal parts (<c>num_outputs</c> from opset 18, else one per output).
/// </summary>
internal sealed class OnnxSplit : OnnxNode
{
    private readonly long _axis;
    private readonly long[]? _sizes;
    private readonly int _parts;

    public OnnxSplit(OnnxNodeContext context) : base(context, new[] { 0 })
    {
        context.AllowOnly("axis", "split", "num_outputs");
        if (context.Constant(0) is not null) throw context.Error("input", "a constant input to Split is not supported.");
        _axis = context.Int("axis", 0);
        _parts = context.Node.Output.Count;
        if (context.Opset < 13) _sizes = context.Ints("split");
        else
        {
            if (context.Has("split")) throw context.Error("split", "from opset 13 the split sizes are an input, not an attribute.");
            if (context.HasInput(1)) _sizes = context.ConstantLongs(1, "split");
        }
        if (context.Has("num_outputs") && context.Int("num_outputs", 0) != _parts)
            throw context.Error("num_outputs", $"num_outputs {context.Int("num_outputs", 0)} differs from the node's {_parts} outputs; uneven last chunks are not supported.");
        if (_sizes is not null && (_sizes.Length != _parts || _sizes.Any(s => s < 0)))
            throw context.Error("split", $"split sizes [{string.Join(", ", _sizes)}] do not give {_parts} non-negative parts.");
    }

    public override Tensor[] Run(Tensor[] inputs)
    {
        var x = inputs[0];
        long axis = _axis < 0 ? _axis + x.dim() : _axis;
        long length = x.shape[axis];
        long[] sizes = _sizes ?? Enumerable.Repeat(length / _parts, _parts).ToArray();
        if (sizes.Sum() != length)
            throw new InvalidOperationException($"ONNX node '{NodeName}' (Split): sizes [{string.Join(", ", sizes)}] do not add up to the axis length {length}.");
        return x.split(sizes, axis);
    }
}
