using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Gather along <c>axis</c>: constant or computed data and indices (negative indices count from the end); the
/// output has the shape data[:axis] + indices + data[axis+1:]. Used on shapes (Gather of a Shape) and on tensors (the
/// class token of a vision transformer).
/// </summary>
internal sealed class OnnxGather : OnnxValueNode
{
    private readonly long _axis;

    public OnnxGather(OnnxNodeContext context) : base(context, i => i == 0)
    {
        context.AllowOnly("axis");
        if (context.InputCount != 2) throw context.Error("inputs", $"expected 2 inputs (data, indices); got {context.InputCount}.");
        _axis = context.Int("axis", 0);
    }

    protected override Tensor[] Compute(Tensor?[] inputs)
    {
        var data = inputs[0]!;
        var indices = inputs[1]!;
        if (indices.is_floating_point()) throw Failure($"indices must be integers; got {indices.dtype}.");
        long axis = Axis(_axis, data.dim());
        long length = data.shape[axis];
        var flat = indices.to_type(ScalarType.Int64).flatten();
        flat = where(flat < 0, flat + length, flat);
        var picked = data.index_select(axis, flat.to(data.device));
        var shape = data.shape.Take((int)axis).Concat(indices.shape).Concat(data.shape.Skip((int)axis + 1)).ToArray();
        return new[] { picked.reshape(shape) };
    }
}
