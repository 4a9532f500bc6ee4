using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Softmax and LogSoftmax: along <c>axis</c> (default −1) from opset 13; before 13 (default axis 1) over the
/// input flattened to 2-D at <c>axis</c>, as those opsets define it.
/// </summary>
internal sealed class OnnxSoftmax : OnnxValueNode
{
    private readonly long _axis;
    private readonly bool _flattened;
    private readonly bool _log;

    public OnnxSoftmax(OnnxNodeContext context) : base(context, _ => false)
    {
        context.AllowOnly("axis");
        _flattened = context.Opset < 13;
        _axis = context.Int("axis", _flattened ? 1 : -1);
        _log = context.OpType == "LogSoftmax";
    }

    protected override Tensor[] Compute(Tensor?[] inputs)
    {
        var x = inputs[0]!;
        if (!_flattened) return new[] { Apply(x, Axis(_axis, x.dim())) };
        long axis = _axis < 0 ? _axis + x.dim() : _axis;
        if (axis < 0 || axis > x.dim()) throw Failure($"axis {_axis} is out of range for a rank-{x.dim()} input.");
        long outer = x.shape.Take((int)axis).Aggregate(1L, (a, b) => a * b);
        return new[] { Apply(x.reshape(outer, -1), 1).reshape(x.shape) };
    }

    private Tensor Apply(Tensor x, long dim) => _log ? x.log_softmax(dim) : x.softmax(dim);
}
